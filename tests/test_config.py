"""Configuration: secret key, database URL, SQLite connection settings."""

import stat

from sqlalchemy import text

from quizapp.config import Config, database_url
from quizapp.extensions import db


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
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout")
        }
    assert pragma == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}
