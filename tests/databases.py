"""Whole databases for the backup and migration tests: new ones, filled ones, their rows.

Each test here needs databases of its own (a backup restored into a second
one, a schema at an old revision), so these are made beside the suite's
test database: a new SQLite file, or a new PostgreSQL database on the
test server, dropped afterwards.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import ForeignKey, MetaData, Table, create_engine, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.schema import sort_tables

from quizapp.domain.live import SessionOptions
from quizapp.domain.nicknames import DenyList
from quizapp.extensions import db
from quizapp.models import Bank, Question, RateLimitCounter, User
from quizapp.services import classes, classroom, players, proposals
from quizapp.services.attempts import (
    published_versions,
    save_draft,
    start_attempt,
    submit_answer,
)
from quizapp.services.bank_edits import change_bank
from quizapp.services.versions import save_question
from tests.answers import right_values
from tests.conftest import QUESTIONS, TEST_DATABASE_URL
from tests.services.editing import import_bank, make_spec

#: Columns that point at a row of a table filled after theirs (question and
#: its versions point at each other): inserted empty, set afterwards.
LATER_COLUMNS = {"question": ("current_version_id", "live_version_id")}


@contextmanager
def new_database(tmp_path: Path, label: str) -> Iterator[str]:
    """The URL of a brand-new empty database of the kind the suite runs on."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / f'{label}.sqlite3'}"
        return
    name = f"quizapp_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    """A connection of its own to ``url`` (no app), committed at the end."""
    engine: Engine = create_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def table_rows(url: str) -> dict[str, list[dict]]:
    """Every table's rows, as dictionaries, in primary-key order."""
    with connected(url) as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        return {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in sorted(metadata.tables.values(), key=lambda table: table.name)
        }


def insert_rows(url: str, rows: dict[str, list[dict]]) -> None:
    """Insert ``rows`` (as :func:`table_rows` gives them) into the tables and columns
    that ``url``'s schema has; the others are left out."""
    with connected(url) as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        later = []
        for table in _in_order(metadata):
            if table.name == "alembic_version" or not rows.get(table.name):
                continue
            deferred = [c for c in LATER_COLUMNS.get(table.name, ()) if c in table.columns]
            values = [
                {
                    column: None if column in deferred else value
                    for column, value in row.items()
                    if column in table.columns
                }
                for row in rows[table.name]
            ]
            connection.execute(table.insert(), values)
            later += [(table, deferred, row) for row in rows[table.name] if deferred]
        for table, deferred, row in later:
            key = table.primary_key.columns.values()[0]
            connection.execute(
                table.update()
                .where(key == row[key.name])
                .values({column: row[column] for column in deferred})
            )
        _follow_every_sequence(connection, metadata)


def _in_order(metadata: MetaData) -> list[Table]:
    """Tables after those they point at, but for the columns filled later."""

    def later(key: ForeignKey) -> bool:
        return key.parent.name in LATER_COLUMNS.get(key.parent.table.name, ())

    return sort_tables(metadata.tables.values(), skip_fn=later)


def _follow_every_sequence(connection: Connection, metadata: MetaData) -> None:
    """On PostgreSQL, move each serial column's sequence past the ids inserted, as a
    restore does, so that the app's next insert gets a new id."""
    if connection.dialect.name != "postgresql":
        return
    for table in metadata.tables.values():
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": f'"{table.name}"', "column": column.name},
            ).scalar()
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 0) + 1, false)'
                        f' FROM "{table.name}"'
                    ),
                    {"sequence": sequence},
                )


def populate(app, catalog) -> None:
    """Every kind of row the app keeps, made through the services, in ``app``'s
    migrated database: sources, banks, questions with imported and edited
    versions (with an author), a proposal, a retired bank, the audit log
    and banks' history, accounts, a self-study attempt with an answer, a
    classroom session with a player's answer and a re-marked typed response,
    a rate-limit counter, and a
    class: a member, a session run for the class with the member's player,
    a self-study assignment with the member's attempt."""
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(QUESTIONS / "starter.yaml")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        import_bank(catalog)  # test-bank, one question
        admin = User(name="ada", role="admin", password_hash="not-a-real-hash")
        teacher = User(name="ms-li", role="teacher", password_hash="not-a-real-hash")
        db.session.add_all([admin, teacher])
        db.session.commit()
        cookie = db.session.scalar(select(Question).filter_by(key="cookie-bite"))
        edit = make_spec(catalog, id="cookie-bite", difficulty=3)
        save_question(cookie, edit, catalog, admin, cookie.current_version_id)
        db.session.commit()
        test_bank = db.session.scalar(select(Bank).filter_by(slug="test-bank"))
        q1 = db.session.scalar(select(Question).filter_by(bank=test_bank, key="q1"))
        proposal = make_spec(catalog, difficulty=2)
        proposals.save_proposal(
            teacher, proposal, bank=test_bank, question=q1, base=q1.current_version, submit=True
        )
        db.session.commit()
        change_bank(test_bank, {"status": "retired"}, test_bank.revision, admin)
        db.session.commit()
        rng = random.Random(20)
        attempt = start_attempt("learner-1", ["starter"], length=3, request_token="t" * 32, rng=rng)
        first = attempt.items[0]
        submit_answer(attempt, 0, right_values(first.question_version.content), 2, 4200)
        versions = published_versions(["starter"])[:2]
        session = classroom.create_session(
            teacher, "Lesson", versions, SessionOptions(), request_token="s" * 32, rng=rng
        )
        player = players.join(session, "Ann", DenyList.of([]), rng=rng)
        classroom.start(session, session.revision)
        content = players.item_at(session, 0).question_version.content
        players.submit(session, player, 0, 1, right_values(content), None)
        classroom.remark(session, 0, "a typed answer", 1.0, teacher)
        school_class = classes.create_class(teacher, "Class 7A", request_token="c" * 32)
        member, _code = classes.join(school_class, "Bo", DenyList.of([]), learner_key="learner-2")
        lesson = classroom.create_session(
            teacher,
            "Class lesson",
            versions,
            SessionOptions(),
            request_token="k" * 32,
            rng=rng,
            school_class=school_class,
        )
        players.join(lesson, "", DenyList.of([]), rng=rng, member=member)
        study = classes.create_study(
            school_class, "Starter at home", ["starter"], length=2, request_token="a" * 32
        )
        homework = classes.start_assignment(member, study, request_token="h" * 32)
        asked = homework.items[0].question_version.content
        submit_answer(homework, 0, right_values(asked), 3, 5100)
        # A test under way, with a time limit, a saved draft and a flag.
        exam = start_attempt(
            "learner-1", ["starter"], length=2, mode="test", time_limit=20, rng=rng
        )
        drafted = exam.items[0].question_version.content
        save_draft(exam, 0, right_values(drafted), 2, flagged=True, time_taken_ms=900)
        db.session.add(RateLimitCounter(key="login/ada", count=3, expires_at=time.time() + 60))
        db.session.commit()
