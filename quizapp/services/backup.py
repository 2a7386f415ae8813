"""Backups of the whole database, and restores into an empty one.

SQLite is copied through its online backup API in one step, under one
read transaction: the copy is the database as of one moment, while the
app goes on writing (in WAL mode writers do not wait for it). A ``cp`` of
a live database can miss what is still in the ``-wal`` file or catch a
write half-done. PostgreSQL is dumped by ``pg_dump`` (custom format) in
a snapshot that this module exports, so the row counts it reports are
those of the dump, and restored by ``pg_restore``.

A backup never replaces a file unless asked to, and is written under
another name first, so an interrupted one leaves no truncated file under
the name given. A restore only goes into an empty database: restoring
over live data would mix or lose it. The restored database is at the
backup's schema revision; ``flask db upgrade`` then brings it up to date.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: Where Debian and Ubuntu install each PostgreSQL version's client programs.
PG_LIB = Path("/usr/lib/postgresql")
#: libpq's environment variable for each connection parameter a URL's query may carry.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or restore was refused or failed; the message says why."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds, or what a restore put in the database."""

    path: Path
    size: int
    rows: dict[str, int]
    revision: str | None

    def describe(self) -> str:
        """One line: size, tables, rows and schema revision."""
        return (
            f"{_size(self.size)}, {len(self.rows)} tables, {sum(self.rows.values()):,} rows, "
            f"schema revision {self.revision or 'none'}"
        )


def backup_database(engine: Engine, target: Path, *, force: bool = False) -> Summary:
    """Copy the whole database behind ``engine`` into the file ``target``.

    Safe while the app is serving. Raises :class:`BackupError` if
    ``target`` exists (unless ``force``) or the copy fails.
    """
    target = Path(target)
    if target.exists() and not force:
        raise BackupError(f"{target} exists; give another name, or --force to replace it")
    if target.is_dir():
        raise BackupError(f"{target} is a folder")
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        # Backups hold password hashes and students' answers: owner only.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise BackupError(f"cannot write in {target.parent}: {error.strerror}") from None
    try:
        with _failures_explained():
            if engine.dialect.name == "sqlite":
                rows, revision = _backup_sqlite(_sqlite_file(engine.url), partial)
            elif engine.dialect.name == "postgresql":
                rows, revision = _backup_postgres(engine, partial)
            else:
                raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
            _publish(partial, target, force)
    finally:
        partial.unlink(missing_ok=True)
    return Summary(target, target.stat().st_size, rows, revision)


def restore_database(engine: Engine, source: Path) -> Summary:
    """Restore the backup file ``source`` into the empty database behind ``engine``.

    Raises :class:`BackupError` if the database holds any table, or the
    file is not a backup of this kind of database.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    with source.open("rb") as handle:
        start = handle.read(len(SQLITE_MAGIC))
    with _failures_explained():
        if engine.dialect.name == "sqlite":
            _expect(source, start.startswith(SQLITE_MAGIC), "a SQLite backup", start)
            rows, revision = _restore_sqlite(source, _sqlite_file(engine.url))
        elif engine.dialect.name == "postgresql":
            _expect(source, start.startswith(PG_DUMP_MAGIC), "a pg_dump backup", start)
            rows, revision = _restore_postgres(engine, source)
        else:
            raise BackupError(f"restores into {engine.dialect.name} databases are not supported")
    return Summary(source, source.stat().st_size, rows, revision)


@contextmanager
def _failures_explained() -> Iterator[None]:
    """A database out of reach, a locked SQLite file or a full disk: a
    :class:`BackupError` saying so, rather than a traceback."""
    try:
        yield
    except DBAPIError as error:
        raise BackupError(f"the database: {error.orig}") from None
    except sqlite3.Error as error:
        raise BackupError(f"SQLite: {error}") from None
    except OSError as error:
        raise BackupError(f"{error.filename or 'the backup file'}: {error.strerror}") from None


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""  # unreachable


def _publish(partial: Path, target: Path, force: bool) -> None:
    """Give the finished copy its name; without ``force``, never over an existing file."""
    if force:
        os.replace(partial, target)
        return
    exists = BackupError(f"{target} exists; give another name, or --force to replace it")
    try:
        os.link(partial, target)  # fails, atomically, if target appeared meanwhile
    except FileExistsError:
        raise exists from None
    except OSError:  # no hard links here (a FAT-formatted USB stick): check, then move
        if target.exists():
            raise exists from None
        os.replace(partial, target)


def _expect(source: Path, matches: bool, kind: str, start: bytes) -> None:
    if matches:
        return
    found = "a SQLite database" if start.startswith(SQLITE_MAGIC) else None
    if start.startswith(PG_DUMP_MAGIC):
        found = "a pg_dump backup"
    hint = f"it is {found}, for the other kind of database" if found else "not a backup"
    raise BackupError(f"{source} is not {kind}: {hint}")


# SQLite ------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    return Path(url.database or "")


def _backup_sqlite(database: Path, partial: Path) -> tuple[dict[str, int], str | None]:
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    with (
        closing(sqlite3.connect(database, timeout=30)) as live,
        closing(sqlite3.connect(partial)) as copy,
    ):
        live.backup(copy)  # all pages in one step: one consistent moment
        # One self-contained file: the copy took the live database's WAL mode.
        copy.execute("PRAGMA journal_mode=DELETE")
        _check_sqlite(copy, partial)
        return _sqlite_rows(copy), _revision(copy)


def _restore_sqlite(source: Path, database: Path) -> tuple[dict[str, int], str | None]:
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup:
        _check_sqlite(backup, source)
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database, timeout=30)) as target:
            _refuse_tables(_sqlite_rows(target), str(database))
            backup.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as the app opens it
            return _sqlite_rows(target), _revision(target)


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    try:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: {error}") from None
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}")


def _sqlite_rows(connection: sqlite3.Connection) -> dict[str, int]:
    tables = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    return {
        name: connection.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0]
        for (name,) in tables
    }


def _quoted(name: str) -> str:
    doubled = name.replace('"', '""')
    return f'"{doubled}"'


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None  # not a database the app's migrations made
    return row[0] if row else None


def _refuse_tables(rows: dict[str, int], where: str) -> None:
    if rows:
        names = ", ".join(sorted(rows)[:5]) + (", …" if len(rows) > 5 else "")
        raise BackupError(
            f"{where} is not empty: it holds {len(rows)} table(s) ({names}) with "
            f"{sum(rows.values()):,} row(s). A backup is restored only into an empty "
            "database: create a new one and point DATABASE_URL at it, or move this one aside"
        )


# PostgreSQL --------------------------------------------------------------


def pg_environment(url: URL) -> dict[str, str]:
    """libpq's environment variables for ``url``: how pg_dump and pg_restore get the
    connection, password included, without it showing on their command line
    (which every user of the machine can read)."""
    variables = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    for key, value in url.query.items():
        if key not in LIBPQ_ENVIRONMENT:
            raise BackupError(f"the database URL's parameter {key!r} is not one libpq knows")
        variables[LIBPQ_ENVIRONMENT[key]] = value if isinstance(value, str) else ",".join(value)
    return {name: value for name, value in variables.items() if value is not None}


def pg_client(name: str) -> str:
    """The PostgreSQL client program ``name``: on PATH, else the newest in /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = [path for path in PG_LIB.glob(f"*/bin/{name}") if os.access(path, os.X_OK)]
    if not candidates:
        raise BackupError(
            f"{name} not found on PATH or in {PG_LIB}/*/bin: install PostgreSQL's client "
            "programs (the version of the server or newer)"
        )
    return str(max(candidates, key=lambda path: _version(path.parent.parent.name)))


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _run_client(command: list[str], url: URL) -> None:
    env = {**os.environ, **pg_environment(url)}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        message = finished.stderr.strip() or f"exit status {finished.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {message}")


def _backup_postgres(engine: Engine, partial: Path) -> tuple[dict[str, int], str | None]:
    pg_dump = pg_client("pg_dump")
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as connection:
        # pg_dump reads the snapshot this transaction exported, so the counts
        # below are exactly what the file holds, however busy the app is.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        rows, revision = _pg_rows(connection), _pg_revision(connection)
        _run_client(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                "--file",
                str(partial),
            ],
            engine.url,
        )
        connection.rollback()
    return rows, revision


def _restore_postgres(engine: Engine, source: Path) -> tuple[dict[str, int], str | None]:
    pg_restore = pg_client("pg_restore")
    with engine.connect() as connection:
        _refuse_tables(_pg_rows(connection), f"database {engine.url.database}")
    # The database comes from PGDATABASE; --dbname only tells pg_restore to
    # connect rather than print SQL. Objects are owned by the restoring
    # role, whoever made the backup; all or nothing.
    _run_client(
        [
            pg_restore,
            "--dbname=",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            str(source),
        ],
        engine.url,
    )
    with engine.connect() as connection:
        return _pg_rows(connection), _pg_revision(connection)


def _pg_rows(connection: Connection) -> dict[str, int]:
    """Rows per table in every schema but the system's."""
    tables = connection.execute(
        text(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            " AND table_type = 'BASE TABLE' ORDER BY table_schema, table_name"
        )
    ).all()
    quote = connection.dialect.identifier_preparer.quote
    default = inspect(connection).default_schema_name
    return {
        (name if schema == default else f"{schema}.{name}"): connection.execute(
            text(f"SELECT count(*) FROM {quote(schema)}.{quote(name)}")
        ).scalar_one()
        for schema, name in tables
    }


def _pg_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
