"""Configuration: secret key, database URL, SQLite connection settings."""

import stat
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from quizapp.config import Config, database_url
from quizapp.extensions import AUTOCOMMIT, db
from tests.conftest import database_url as database_for


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = Config(str(tmp_path), environ={}).SECRET_KEY
    assert len(first) == 64
    assert first == Config(str(tmp_path), environ={}).SECRET_KEY
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_a_secret_key_from_the_environment_wins(tmp_path):
    assert Config(str(tmp_path), environ={"SECRET_KEY": "from-env"}).SECRET_KEY == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_the_default_database_is_sqlite_under_instance(tmp_path):
    assert database_url(None, str(tmp_path)) == f"sqlite:///{tmp_path / 'quizapp.sqlite3'}"


def test_postgres_urls_use_the_installed_driver():
    assert database_url("postgres://u@h/d", "x") == "postgresql+psycopg://u@h/d"
    assert database_url("postgresql://u@h/d", "x") == "postgresql+psycopg://u@h/d"
    assert database_url("postgresql+psycopg://u@h/d", "x") == "postgresql+psycopg://u@h/d"


def test_sqlite_connections_enforce_foreign_keys_use_wal_and_wait(tmp_path, app_factory):
    app = app_factory(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with app.app_context():
        engines = db.engines  # the main pool and the autocommit one for polls
        assert set(engines) == {None, AUTOCOMMIT}
        for engine in engines.values():
            with engine.connect() as connection:
                pragma = {
                    name: connection.execute(text(f"PRAGMA {name}")).scalar()
                    for name in ("foreign_keys", "journal_mode", "busy_timeout")
                }
            assert pragma == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}


def test_a_pooled_connection_idle_a_while_is_tested_and_replaced_if_dropped(tmp_path, app_factory):
    """PostgreSQL: a connection used a moment ago is used without a test;
    one idle longer is tested first, and one the server dropped meanwhile is
    replaced, so the request works. A SQLite file is never tested."""
    url = database_for(tmp_path)
    app = app_factory(url, QUIZ_DB_PING_AFTER_S=0.5)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        pings = []
        for key, engine in db.engines.items():  # the main pool and the polls' one
            ping = engine.dialect.do_ping
            engine.dialect.do_ping = lambda connection, key=key, ping=ping: (
                pings.append(key) or ping(connection)
            )

        def read() -> int:
            value = db.session.execute(text("SELECT 1")).scalar()
            db.session.remove()  # the connection goes back to the pool
            polls = db.engines[AUTOCOMMIT]
            with polls.connect() as connection:
                value += connection.execute(text("SELECT 1")).scalar()
                # No transaction is begun, so none needs ending on return.
                assert polls.dialect.detect_autocommit_setting(
                    connection.connection.dbapi_connection
                )
            return value

        assert read() == 2 and read() == 2
        assert pings == []  # new, then used a moment ago
        time.sleep(0.6)
        if postgres:
            # The server ends the pooled connection (as a restart would).
            other = create_engine(url, poolclass=NullPool)
            with other.connect() as connection:
                ended = connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar()
            assert ended >= 2  # one in each pool
        assert read() == 2
        assert pings == ([None, AUTOCOMMIT] if postgres else [])


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_is_refused_with_a_clear_error(url, app_factory):
    with pytest.raises(ValueError, match="in-memory SQLite database is not supported"):
        app_factory(url)
