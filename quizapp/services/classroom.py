"""Classroom sessions, the teacher's side: create, run and look up sessions.

Every step of a session (start, close, vote again, next, finish) is one
conditional UPDATE of the session row that
names the revision the teacher's screen showed (``expected``). A double
click, a second tab or a second worker acting on the same revision finds
the revision already moved on and changes nothing, so "next" pressed twice
never skips a question.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.domain.live import MAX_ROUNDS, SessionOptions, new_code
from quizapp.extensions import AUTOCOMMIT, db
from quizapp.models import (
    ClassSession,
    Player,
    PlayerAnswer,
    QuestionVersion,
    SchoolClass,
    SessionClass,
    SessionItem,
    User,
)
from quizapp.models.content import aware, utcnow
from quizapp.services.content import kept
from quizapp.services.direct import DirectRead

CODE_TRIES = 20


class Stale(Exception):
    """The action was meant for a state the session has already left."""


def _session_by_token(token: str | None) -> ClassSession | None:
    if not token:
        return None
    return db.session.scalar(select(ClassSession).where(ClassSession.request_token == token))


def fitted_title(title: str) -> str:
    """``title`` cut to the column's length, with an ellipsis: a title made of
    the names of every bank chosen can be longer (PostgreSQL refuses it)."""
    limit = ClassSession.title.property.columns[0].type.length
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def create_session(
    teacher: User,
    title: str,
    versions: list[QuestionVersion],
    options: SessionOptions,
    *,
    deadline: datetime | None = None,
    request_token: str | None = None,
    rng: random.Random | None = None,
    school_class: SchoolClass | None = None,
) -> ClassSession:
    """Store a new session in its lobby, with a free join code.

    ``versions`` are asked in the given order. A ``request_token`` already
    used returns the session it created (the form was sent twice). A
    session for ``school_class`` (the teacher's own) admits its members.
    """
    if school_class is not None and school_class.teacher_id != teacher.id:
        raise ValueError("a session is run for one of the teacher's own classes")
    if not versions:
        raise ValueError("a session needs at least one question")
    existing = _session_by_token(request_token)
    if existing is not None and existing.teacher_id == teacher.id:
        return existing
    rng = rng or random.SystemRandom()
    for _ in range(CODE_TRIES):
        session = ClassSession(
            public_id=secrets.token_hex(16),
            code=new_code(rng),
            teacher_id=teacher.id,
            request_token=request_token if existing is None else None,
            title=fitted_title(title),
            pacing=options.pacing,
            options=options.as_dict(),
            closes_at=deadline if options.pacing == "student" else None,
        )
        session.items = [
            SessionItem(position=position, question_version=version)
            for position, version in enumerate(versions)
        ]
        db.session.add(session)
        if school_class is not None:
            db.session.add(SessionClass(session=session, class_id=school_class.id))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            again = _session_by_token(request_token)
            if again is not None and again.teacher_id == teacher.id:
                return again  # the same form, sent twice at once
            continue  # the code was taken: draw another
        return session
    raise RuntimeError("no free join code found")


@dataclass
class SessionListing:
    """A session on the teacher's dashboard."""

    session: ClassSession
    players: int
    questions: int


def teacher_sessions(teacher: User) -> list[SessionListing]:
    """The teacher's own sessions, newest first, with counts (one query)."""
    players = (
        select(Player.session_id, func.count().label("n"))
        .where(Player.removed_at.is_(None))
        .group_by(Player.session_id)
        .subquery()
    )
    items = (
        select(SessionItem.session_id, func.count().label("n"))
        .group_by(SessionItem.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ClassSession, func.coalesce(players.c.n, 0), func.coalesce(items.c.n, 0))
        .outerjoin(players, players.c.session_id == ClassSession.id)
        .outerjoin(items, items.c.session_id == ClassSession.id)
        .where(ClassSession.teacher_id == teacher.id)
        .order_by(ClassSession.created_at.desc(), ClassSession.id.desc())
    )
    return [SessionListing(*row) for row in rows]


def teacher_session(teacher: User, public_id: str, with_items: bool = False) -> ClassSession | None:
    """The teacher's session ``public_id``; another teacher's is None, like a missing one.

    ``with_items`` loads every question's version too, for work on all of
    them ("run again"); pages load only the question they show.
    """
    query = select(ClassSession).where(
        ClassSession.public_id == public_id, ClassSession.teacher_id == teacher.id
    )
    if with_items:
        query = query.options(
            selectinload(ClassSession.items).selectinload(SessionItem.question_version)
        )
    return db.session.scalar(query)


def session_by_public_id(public_id: str) -> ClassSession | None:
    """A session by its public id (students' pages)."""
    return db.session.scalar(select(ClassSession).where(ClassSession.public_id == public_id))


#: What a poll reads: built once, since building a statement costs more than
#: running it on an indexed column, and sent to the driver directly.
_POLL = DirectRead(
    select(
        ClassSession.id, ClassSession.revision, ClassSession.phase, ClassSession.closes_at
    ).where(ClassSession.public_id == bindparam("public_id"))
)


def current_revision(public_id: str) -> int | None:
    """The revision of session ``public_id`` (None: no such session), for polls.

    A poll reads four columns on a connection of its own, sent to the driver
    directly (:mod:`quizapp.services.direct`), without the ORM session's
    bookkeeping; only when a time limit or deadline has run out does it load
    the session and settle it.
    """
    # Autocommit: one statement, no BEGIN and ROLLBACK around it (on
    # PostgreSQL each of those would be one more round trip per poll).
    row = _POLL.first(db.engines[AUTOCOMMIT], public_id=public_id)
    if row is None:
        return None
    session = settle_if_due(row.id, row.phase, row.closes_at)
    return row.revision if session is None else session.revision


#: What the poll watcher reads, for every session a process has polls waiting on.
_WATCH = select(
    ClassSession.public_id, ClassSession.revision, ClassSession.phase, ClassSession.closes_at
).where(ClassSession.public_id.in_(bindparam("public_ids", expanding=True)))

#: A revision no session has: what :func:`revisions` reports for a session
#: whose time ran out (its next poll settles it, and moves the revision).
DUE = -1


def revisions(public_ids: list[str]) -> dict[str, int]:
    """The revision of each of the sessions ``public_ids`` that exists, in one read;
    :data:`DUE` for one whose time limit or deadline has run out unsettled."""
    now = utcnow()
    with db.engines[AUTOCOMMIT].connect() as connection:
        rows = connection.execute(_WATCH, {"public_ids": public_ids}).all()
    return {
        row.public_id: DUE if _time_is_up(row.phase, row.closes_at, now) else row.revision
        for row in rows
    }


def session_by_code(code: str) -> ClassSession | None:
    """The live session using join ``code`` (finished sessions have none)."""
    return db.session.scalar(select(ClassSession).where(ClassSession.code == code))


def options_of(session: ClassSession) -> SessionOptions:
    """The session's options as the domain object."""
    return SessionOptions.from_dict(session.options)


def item_count(session: ClassSession) -> int:
    """How many questions the session has (fixed when it was created, so kept)."""
    session_id = session.id
    return kept(
        ("item count", session_id),
        lambda: db.session.scalar(
            select(func.count())
            .select_from(SessionItem)
            .where(SessionItem.session_id == session_id)
        ),
    )


def _move(session: ClassSession, expected: int | None, **changes) -> None:
    """Apply ``changes`` if the session is still at revision ``expected``; else :class:`Stale`."""
    query = update(ClassSession).where(ClassSession.id == session.id)
    if expected is not None:
        query = query.where(ClassSession.revision == expected)
    result = db.session.execute(
        query.values(revision=ClassSession.revision + 1, **changes),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(session)
        raise Stale(session.public_id)
    db.session.commit()
    db.session.refresh(session)


def _limit_end(session: ClassSession, now: datetime) -> datetime | None:
    limit = options_of(session).time_limit
    return now + timedelta(seconds=limit) if limit else None


def start(session: ClassSession, expected: int | None) -> None:
    """Lobby → the first question (teacher-paced) or everyone working (student-paced)."""
    if session.phase != "lobby":
        raise Stale(session.public_id)
    now = utcnow()
    if session.pacing == "student":
        _move(session, expected, phase="open", started_at=now, opened_at=now)
    else:
        _move(
            session,
            expected,
            phase="open",
            position=0,
            round=1,
            started_at=now,
            opened_at=now,
            closes_at=_limit_end(session, now),
        )


def close_question(session: ClassSession, expected: int | None) -> None:
    """Stop taking answers to the question on screen and reveal it."""
    if session.pacing != "teacher" or session.phase != "open":
        raise Stale(session.public_id)
    _move(session, expected, phase="closed", closes_at=utcnow())


def vote_again(session: ClassSession, expected: int | None) -> None:
    """Open the closed question for a second round of answers, after discussion."""
    if session.phase != "closed" or session.round >= MAX_ROUNDS:
        raise Stale(session.public_id)
    now = utcnow()
    _move(
        session,
        expected,
        phase="open",
        round=session.round + 1,
        opened_at=now,
        closes_at=_limit_end(session, now),
    )
    db.session.execute(
        update(SessionItem)
        .where(SessionItem.session_id == session.id, SessionItem.position == session.position)
        .values(rounds=session.round)
    )
    db.session.commit()


def next_question(session: ClassSession, expected: int | None) -> None:
    """The next question, or the end of the session after the last."""
    if session.phase != "closed":
        raise Stale(session.public_id)
    if session.position + 1 >= item_count(session):
        finish(session, expected)
        return
    now = utcnow()
    _move(
        session,
        expected,
        phase="open",
        position=session.position + 1,
        round=1,
        opened_at=now,
        closes_at=_limit_end(session, now),
    )


def finish(session: ClassSession, expected: int | None) -> None:
    """End the session: no more answers; the join code is set free."""
    if session.phase == "finished":
        raise Stale(session.public_id)
    now = utcnow()
    _move(session, expected, phase="finished", code=None, finished_at=now)


def remove_player(session: ClassSession, player_id: int) -> None:
    """Take a player out of the session (their answers stay in the record)."""
    player = db.session.get(Player, player_id)
    if player is None or player.session_id != session.id:
        raise LookupError(player_id)
    if player.removed_at is None:
        player.removed_at = utcnow()
        db.session.flush()
        _move(session, None)


def _time_is_up(phase: str, closes_at: datetime | None, now: datetime) -> bool:
    """An open question's time limit, or a student-paced deadline, has run out."""
    return phase == "open" and closes_at is not None and aware(closes_at) <= now


def settle_if_due(session_id: int, phase: str, closes_at: datetime | None) -> ClassSession | None:
    """Settle session ``session_id`` if its ``phase`` and ``closes_at``, as
    just read, say its time ran out: the session, settled (None: nothing due).

    For the paths that read a session's row without loading it (polls,
    answers): a session is loaded only in the rare request that settles it.
    """
    if not _time_is_up(phase, closes_at, utcnow()):
        return None
    session = db.session.get(ClassSession, session_id)
    settle(session)
    return session


def settle(session: ClassSession, now: datetime | None = None) -> None:
    """Apply what time decides: a question whose limit ran out closes, a
    student-paced session past its deadline finishes.

    Checked in Python first so that a poll of a session with nothing due
    writes nothing; the UPDATE's own condition makes two workers settling
    at once apply it once.
    """
    now = now or utcnow()
    if not _time_is_up(session.phase, session.closes_at, now):
        return
    closes_at = aware(session.closes_at)
    due = (
        update(ClassSession)
        .where(
            ClassSession.id == session.id,
            ClassSession.phase == "open",
            ClassSession.closes_at <= now,
        )
        .execution_options(synchronize_session=False)
    )
    if session.pacing == "student":
        due = due.values(
            phase="finished", code=None, finished_at=closes_at, revision=ClassSession.revision + 1
        )
    else:
        due = due.values(phase="closed", revision=ClassSession.revision + 1)
    db.session.execute(due)
    db.session.commit()
    db.session.refresh(session)


def active_players(session: ClassSession) -> list[Player]:
    """The session's players not removed, in joining order."""
    return list(
        db.session.scalars(
            select(Player)
            .where(Player.session_id == session.id, Player.removed_at.is_(None))
            .order_by(Player.joined_at, Player.id)
        )
    )


def host_version(session: ClassSession) -> str:
    """What the teacher's screen depends on: revision, players, answers.

    It changes when anyone joins or answers, so the projector's count of
    answers follows; students poll the revision alone.
    """
    players = (
        select(func.count())
        .select_from(Player)
        .where(Player.session_id == session.id, Player.removed_at.is_(None))
        .scalar_subquery()
    )
    answers = (
        select(func.count())
        .select_from(PlayerAnswer)
        .where(PlayerAnswer.session_id == session.id)
        .scalar_subquery()
    )
    counted = db.session.execute(select(players, answers)).one()
    return f"{session.revision}.{counted[0]}.{counted[1]}"
