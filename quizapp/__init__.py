"""quizapp: quizzes on AI video and deepfakes, every answer grounded in a source."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import event, make_url
from sqlalchemy.exc import DisconnectionError
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp.config import Config
from quizapp.extensions import AUTOCOMMIT, babel, compress, csrf, db, migrate


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application.

    ``config`` overrides settings and ``instance_path`` moves the folder for
    the SQLite file and the generated secret key (both used by tests).
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(Config(app.instance_path))
    if config:
        app.config.update(config)
    _refuse_memory_database(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_BINDS"] = {
        **app.config.get("SQLALCHEMY_BINDS", {}),
        # No transaction to end when a connection goes back to the pool.
        AUTOCOMMIT: {
            "url": app.config["SQLALCHEMY_DATABASE_URI"],
            "isolation_level": "AUTOCOMMIT",
            "pool_reset_on_return": None,
        },
    }

    from quizapp import models  # noqa: F401  (registers the tables)
    from quizapp.i18n import init_app as init_i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    from quizapp.security import refuse_malformed_input

    app.before_request(refuse_malformed_input)  # before CSRFProtect's check reads the form
    csrf.init_app(app)
    compress.init_app(app)
    init_i18n(app, babel)
    _configure_sqlite(app)
    _check_idle_connections(app)

    from quizapp import (
        accounts_cli,
        charts,
        cli,
        errors,
        learners,
        security,
        static_files,
        throttle,
        urls,
    )
    from quizapp.admin import bp as admin_bp
    from quizapp.auth import access
    from quizapp.auth import bp as auth_bp
    from quizapp.classes import bp as classes_bp
    from quizapp.classroom import bp as classroom_bp
    from quizapp.main import bp as main_bp
    from quizapp.play import bp as play_bp
    from quizapp.play import polls
    from quizapp.sources import bp as sources_bp
    from quizapp.study import bp as study_bp

    urls.init_app(app)  # before the routes that use its converter
    app.register_blueprint(main_bp)
    app.register_blueprint(sources_bp, url_prefix="/sources")
    app.register_blueprint(study_bp, url_prefix="/study")
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(classroom_bp, url_prefix="/classroom")
    app.register_blueprint(play_bp, url_prefix="/play")
    app.register_blueprint(classes_bp)  # its rules say where: /classes/... and /c/...
    app.register_blueprint(admin_bp, url_prefix="/admin")
    access.init_app(app)
    errors.init_app(app)
    throttle.init_app(app)
    learners.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    polls.init_app(app)
    charts.init_app(app)
    hops = app.config["QUIZ_PROXY_HOPS"]
    if hops:
        # The client's address, scheme and host as the proxy received them:
        # the projector's join link and QR code use the host, and secure
        # cookies need the scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    cli.init_app(app)
    accounts_cli.init_app(app)
    return app


def _refuse_memory_database(url: str) -> None:
    """An in-memory SQLite database is one per connection pool, and the app
    has two (see :data:`quizapp.extensions.AUTOCOMMIT`): answers would be
    written where no page reads them."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ValueError(
            f"{url}: an in-memory SQLite database is not supported; use a file (sqlite:///path)"
        )


def _configure_sqlite(app: Flask) -> None:
    """Enforce foreign keys, use WAL and wait on locks, on every SQLite connection."""
    timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"]

    def on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.close()

    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "connect", on_connect)


def _check_idle_connections(app: Flask) -> None:
    """Test a pooled database connection before use if it sat idle a while.

    A server's connection can be dropped under the pool (a PostgreSQL
    restart, a proxy's idle timeout). A connection given back to the pool
    less than ``QUIZ_DB_PING_AFTER_S`` ago was working then, and is used
    without a test; an older one first answers ``SELECT 1``, and one that
    does not is replaced. (SQLAlchemy's ``pool_pre_ping`` tests every
    checkout: under a class's load, one more round trip to the database
    on every request.) A SQLite file cannot be dropped: nothing to test.
    """
    after_s = app.config["QUIZ_DB_PING_AFTER_S"]
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name != "sqlite":
            _ping_when_idle(engine, after_s)


def _ping_when_idle(engine, after_s: float) -> None:
    def on_checkin(_dbapi_connection, record):
        record.info["returned_at"] = time.monotonic()

    def on_checkout(dbapi_connection, record, _proxy):
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < after_s:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as failed:
            if engine.dialect.is_disconnect(failed, dbapi_connection, None):
                # The pool discards this connection and checks out another.
                raise DisconnectionError() from failed
            raise

    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "checkout", on_checkout)
