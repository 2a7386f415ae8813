"""Reads sent to the database driver directly (``quizapp.services.direct``)
return what SQLAlchemy returns for the same statement, in one statement.

The suite runs on SQLite and on PostgreSQL: each database's drivers hand
back times, JSON and counts their own way, and a direct read must turn them
into the same values as SQLAlchemy's result processing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import bindparam, create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from quizapp.extensions import AUTOCOMMIT, db
from quizapp.models import ClassSession, Player
from quizapp.models.content import utcnow
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.direct import DirectRead
from tests.conftest import database_url
from tests.services.test_classroom import answer_right, make_player, make_session

#: A read with a literal of its own, a datetime parameter and a JSON column.
_WITH_LITERALS = (
    select(
        ClassSession.public_id,
        ClassSession.options,
        ClassSession.opened_at,
        func.count(Player.id).label("players"),
    )
    .join(Player, Player.session_id == ClassSession.id)
    .where(
        ClassSession.phase == "open",
        ClassSession.opened_at > bindparam("since"),
    )
    .group_by(ClassSession.id)
)


def as_sqlalchemy_reads(statement, params: dict):
    with db.engines[AUTOCOMMIT].connect() as connection:
        return connection.execute(statement, params).first()


def test_a_direct_read_returns_what_sqlalchemy_returns(imported):
    with imported.app_context():
        session = make_session(2, time_limit=30)
        ann = make_player(session, "Ann")
        make_player(session, "Ben")
        sessions.start(session, session.revision)
        answer_right(session, ann)
        reads = [
            (play._SEAT, {"public_id": session.public_id, "token": ann.token}),
            (sessions._POLL, {"public_id": session.public_id}),
            (DirectRead(_WITH_LITERALS), {"since": utcnow() - timedelta(hours=1)}),
        ]
        engine = db.engines[AUTOCOMMIT]
        for direct, params in reads:
            expected = as_sqlalchemy_reads(direct.statement, params)
            row = direct.first(engine, **params)
            assert row is not None and tuple(row) == tuple(expected)
            assert row._fields == tuple(expected._mapping.keys())
        seat = play.seat_for_answer(session.public_id, ann.token)
        assert seat.answered == 1 and isinstance(seat.last_answered_at, datetime)
        assert seat.options["time_limit"] == 30 and isinstance(seat.closes_at, datetime)


def test_a_direct_read_of_nothing_is_none(imported):
    with imported.app_context():
        assert sessions._POLL.first(db.engines[AUTOCOMMIT], public_id="0" * 32) is None
        assert sessions.current_revision("0" * 32) is None
        assert play.seat_for_answer("0" * 32, "no such token") is None


def test_a_direct_read_sends_one_statement_on_a_connection_from_the_pool(imported):
    """Counted where the pool hands out the connection and where the driver
    runs it (SQLite's trace of every statement; PostgreSQL's count of what
    the server executed for this backend would need an extension)."""
    with imported.app_context():
        session = make_session(1)
        engine = db.engines[AUTOCOMMIT]
        checkouts = []

        def checked_out(*_args):
            checkouts.append(1)

        event.listen(engine, "checkout", checked_out)
        traced: list[str] = []
        if engine.dialect.name == "sqlite":
            raw = engine.raw_connection()
            raw.driver_connection.set_trace_callback(traced.append)
            raw.close()
            checkouts.clear()
        try:
            revision = sessions.current_revision(session.public_id)
        finally:
            event.remove(engine, "checkout", checked_out)
        assert revision == session.revision
        assert checkouts == [1]
        if engine.dialect.name == "sqlite":
            assert len(traced) == 1 and traced[0].startswith("SELECT")


def test_a_connection_the_server_ended_fails_one_direct_read_and_is_replaced(app_factory, tmp_path):
    """Without the ping after an idle while (the connection was used a moment
    ago): the read that finds it ended fails, and the pool does not hand it
    out again, so the next read works."""
    app = app_factory(database_url(tmp_path), QUIZ_DB_PING_AFTER_S=3600)
    with app.app_context():
        db.create_all()
        engine = db.engines[AUTOCOMMIT]
        assert sessions.current_revision("0" * 32) is None  # the pool has its connection
        pooled = engine.raw_connection()
        driver = pooled.driver_connection
        pooled.close()  # back in the pool, as it was after the poll
        if engine.dialect.name == "postgresql":
            other = create_engine(engine.url, poolclass=NullPool)  # as a restart would
            with other.connect() as connection:
                connection.execute(text(f"SELECT pg_terminate_backend({driver.info.backend_pid})"))
            other.dispose()
        else:  # SQLite has no server: the file's connection is closed under the pool
            driver.close()
        with pytest.raises(engine.dialect.loaded_dbapi.Error):
            sessions.current_revision("0" * 32)
        assert sessions.current_revision("0" * 32) is None
