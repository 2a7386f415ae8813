"""``flask quiz backup`` and ``restore``: a whole database out to a file and back into an
empty one, on whichever database the suite runs on."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from quizapp.services import backup as backup_service
from quizapp.services.backup import BackupError, pg_environment
from tests.conftest import TEST_DATABASE_URL
from tests.databases import connected, new_database, populate, table_rows


def upgraded(app_factory, url: str):
    """An app on ``url`` with the schema at the newest revision."""
    app = app_factory(url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def live(app_factory, tmp_path, catalog):
    """An app whose migrated database holds every kind of row; returns ``(app, url)``."""
    with new_database(tmp_path, "live") as url:
        app = upgraded(app_factory, url)
        populate(app, catalog)
        yield app, url


@pytest.fixture
def empty(app_factory, tmp_path):
    """An app on a new, empty database (no tables); returns ``(app, url)``."""
    with new_database(tmp_path, "empty") as url:
        yield app_factory(url), url


def quiz(app, *args):
    return app.test_cli_runner().invoke(args=["quiz", *args])


def revision(url: str) -> str:
    with connected(url) as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_a_backup_restored_into_an_empty_database_holds_every_row(live, empty, tmp_path):
    (app, url), (target_app, target_url) = live, empty
    before = table_rows(url)
    backup = tmp_path / "before-upgrade.backup"
    made = quiz(app, "backup", str(backup))
    assert made.exit_code == 0, made.output
    rows = sum(len(found) for found in before.values())
    assert f"{len(before)} tables, {rows:,} rows" in made.output
    assert backup.stat().st_mode & 0o077 == 0  # for the owner's eyes only
    restored = quiz(target_app, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert f"{len(before)} tables, {rows:,} rows" in restored.output
    assert "flask db upgrade" in restored.output
    assert table_rows(target_url) == before
    assert revision(target_url) == revision(url)
    assert all(before[table] for table in ("audit_entry", "player", "answer", "proposal"))


def test_a_backup_taken_while_the_app_writes_is_one_moment_of_it(live, empty, tmp_path):
    """Each write adds a counter row and moves a total in one transaction: a copy from
    one moment has as many rows as its total, and every write committed before."""
    (app, url), (target_app, target_url) = live, empty
    engine = create_engine(url)  # another connection than the backup's
    insert = text("INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (:k, 1, 0)")
    total = text("UPDATE rate_limit_counter SET count = count + 1 WHERE key = 'total'")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_limit_counter"))
        connection.execute(insert.bindparams(k="total"))
    writes, stop = [], threading.Event()

    def write() -> None:
        while not stop.is_set() or len(writes) < 20:
            with engine.begin() as connection:
                connection.execute(insert.bindparams(k=f"write-{len(writes)}"))
                connection.execute(total)
            writes.append(True)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(writes) < 10:
            stop.wait(0.01)
        committed = len(writes)
        made = quiz(app, "backup", str(tmp_path / "busy.backup"))
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert made.exit_code == 0, made.output
    assert quiz(target_app, "restore", str(tmp_path / "busy.backup")).exit_code == 0
    with connected(target_url) as connection:
        kept = connection.execute(text("SELECT count(*) FROM rate_limit_counter")).scalar_one()
        counted = connection.execute(
            text("SELECT count FROM rate_limit_counter WHERE key = 'total'")
        ).scalar_one()
    assert kept == counted
    assert committed <= counted - 1 <= len(writes)


def test_restore_refuses_a_database_that_holds_data(live, tmp_path):
    app, url = live
    backup = tmp_path / "live.backup"
    assert quiz(app, "backup", str(backup)).exit_code == 0
    with connected(url) as connection:
        connection.execute(text("DELETE FROM rate_limit_counter"))
    before = table_rows(url)
    refused = quiz(app, "restore", str(backup))
    assert refused.exit_code == 1
    assert "nothing restored" in refused.output
    assert "is not empty" in refused.output
    assert "restored only into an empty database" in refused.output
    assert table_rows(url) == before


def test_restore_refuses_a_database_with_empty_tables(app_factory, tmp_path):
    with new_database(tmp_path, "migrated") as url:
        app = upgraded(app_factory, url)
        backup = tmp_path / "migrated.backup"
        assert quiz(app, "backup", str(backup)).exit_code == 0
        refused = quiz(app, "restore", str(backup))
        assert refused.exit_code == 1
        assert "is not empty" in refused.output


def test_backup_refuses_to_overwrite_a_file_unless_forced(app_factory, tmp_path):
    with new_database(tmp_path, "small") as url:
        app = upgraded(app_factory, url)
        backup = tmp_path / "kept.backup"
        backup.write_text("an older backup")
        refused = quiz(app, "backup", str(backup))
        assert refused.exit_code == 1
        assert "exists" in refused.output and "--force" in refused.output
        assert backup.read_text() == "an older backup"
        assert [path.name for path in tmp_path.iterdir() if "backup" in path.name] == [backup.name]
        forced = quiz(app, "backup", "--force", str(backup))
        assert forced.exit_code == 0, forced.output
        assert backup.read_bytes()[:5] in (b"SQLit", b"PGDMP")


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(empty, tmp_path):
    app, url = empty
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if url.startswith("sqlite") else b"SQLite format 3\x00")
    refused = quiz(app, "restore", str(other))
    assert refused.exit_code == 1
    assert "for the other kind of database" in refused.output
    assert table_rows(url) == {}


def test_pg_dump_gets_the_password_from_its_environment_not_its_command_line():
    url = make_url("postgresql+psycopg://quiz:s3cret@db.school:6543/quizapp?sslmode=require")
    assert pg_environment(url) == {
        "PGHOST": "db.school",
        "PGPORT": "6543",
        "PGUSER": "quiz",
        "PGPASSWORD": "s3cret",
        "PGDATABASE": "quizapp",
        "PGSSLMODE": "require",
    }
    with pytest.raises(BackupError, match="prepare_threshold"):
        pg_environment(make_url("postgresql+psycopg://quiz@db/quizapp?prepare_threshold=0"))


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="pg_dump backs up PostgreSQL only")
def test_pg_dump_is_given_no_connection_detail_on_its_command_line(live, tmp_path, monkeypatch):
    app, url = live
    commands = []
    run = backup_service.subprocess.run

    def recording(command, **kwargs):
        commands.append((command, kwargs["env"]))
        return run(command, **kwargs)

    monkeypatch.setattr(backup_service.subprocess, "run", recording)
    assert quiz(app, "backup", str(tmp_path / "live.backup")).exit_code == 0
    [(command, env)] = commands
    assert env["PGDATABASE"] == make_url(url).database
    assert not any(make_url(url).database in argument for argument in command)
