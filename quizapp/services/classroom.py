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

from flask import current_app, has_app_context
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.domain.live import (
    MAX_ROUNDS,
    ResponseGroup,
    SessionOptions,
    item_time_limit,
    live_points,
    new_code,
    response_groups,
    response_key,
)
from quizapp.domain.nicknames import fold
from quizapp.extensions import AUTOCOMMIT, db
from quizapp.models import (
    ClassSession,
    MemberPlayer,
    Player,
    PlayerAnswer,
    QuestionVersion,
    Remark,
    SchoolClass,
    SessionClass,
    SessionItem,
    User,
)
from quizapp.models.content import aware, utcnow
from quizapp.services.content import item_content, kept
from quizapp.services.direct import DirectRead
from quizapp.services.session_reports import round_answers

CODE_TRIES = 20
#: A student-paced session's deadline does not cut off an answer being
#: written: answers to the question on a phone's screen are taken this long
#: after it (no new question is shown), then the session ends.
DEADLINE_GRACE = timedelta(seconds=60)
#: How much "more time" adds, to an open question and to a deadline.
MORE_TIME_S = {"teacher": 30, "student": 600}


def _setting(name: str, default: float) -> float:
    """A number from the app's configuration (``default`` outside an app)."""
    return float(current_app.config.get(name, default)) if has_app_context() else default


def _recently_ended_codes(now: datetime) -> set[str]:
    """Codes of sessions ended within ``QUIZ_CODE_REUSE_DAYS``: not drawn again."""
    since = now - timedelta(days=_setting("QUIZ_CODE_REUSE_DAYS", 30))
    return set(
        db.session.scalars(
            select(ClassSession.ended_code).where(
                ClassSession.ended_code.is_not(None), ClassSession.finished_at >= since
            )
        )
    )


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
    now = utcnow()
    ended = _recently_ended_codes(now)
    for _ in range(CODE_TRIES):
        code = new_code(rng)
        if code in ended:
            continue
        session = ClassSession(
            public_id=secrets.token_hex(16),
            code=code,
            active_at=now,
            teacher_id=teacher.id,
            request_token=request_token if existing is None else None,
            title=fitted_title(title),
            pacing=options.pacing,
            options=options.as_dict(),
            closes_at=deadline if options.pacing == "student" else None,
        )
        session.items = [
            SessionItem(
                position=position,
                question_version=version,
                time_limit=item_time_limit(version.content, options),
            )
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


def teacher_sessions(teacher: User, archived: bool = False) -> list[SessionListing]:
    """The teacher's own sessions, newest first, with counts (one query):
    those not archived, or with ``archived`` those archived."""
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
        .where(
            ClassSession.teacher_id == teacher.id,
            ClassSession.archived_at.is_not(None)
            if archived
            else ClassSession.archived_at.is_(None),
        )
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
        ClassSession.id,
        ClassSession.revision,
        ClassSession.phase,
        ClassSession.closes_at,
        ClassSession.pacing,
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
    session = settle_if_due(row.id, row.phase, row.closes_at, row.pacing)
    return row.revision if session is None else session.revision


#: What the poll watcher reads, for every session a process has polls waiting on.
_WATCH = select(
    ClassSession.public_id,
    ClassSession.revision,
    ClassSession.phase,
    ClassSession.closes_at,
    ClassSession.pacing,
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
        row.public_id: DUE
        if _time_is_up(row.phase, row.closes_at, now, row.pacing)
        else row.revision
        for row in rows
    }


def any_running(public_ids) -> bool:
    """Whether one of the sessions ``public_ids`` is still running (not finished)."""
    ids = list(public_ids)
    if not ids:
        return False
    found = db.session.scalar(
        select(ClassSession.id)
        .where(ClassSession.public_id.in_(ids), ClassSession.phase != "finished")
        .limit(1)
    )
    return found is not None


def session_by_code(code: str) -> ClassSession | None:
    """The live session using join ``code`` (finished sessions have none);
    one idle too long is ended first, and then is not found."""
    session = db.session.scalar(select(ClassSession).where(ClassSession.code == code))
    if session is not None:
        settle(session)
        if session.phase == "finished":
            return None
    return session


def ended_with_code(code: str) -> bool:
    """Whether a session that used join ``code`` ended lately (an old QR code)."""
    since = utcnow() - timedelta(days=_setting("QUIZ_CODE_REUSE_DAYS", 30))
    return (
        db.session.scalar(
            select(ClassSession.id)
            .where(ClassSession.ended_code == code, ClassSession.finished_at >= since)
            .limit(1)
        )
        is not None
    )


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
    changes.setdefault("active_at", utcnow())
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


def time_limit_at(session: ClassSession, position: int) -> int | None:
    """Seconds to answer the question at ``position`` (None: no limit)."""
    item = db.session.get(SessionItem, (session.id, position))
    if item is not None and item.time_limit is not None:
        return item.time_limit
    return options_of(session).time_limit


def _limit_end(
    session: ClassSession, now: datetime, position: int | None = None
) -> datetime | None:
    position = session.position if position is None else position
    limit = time_limit_at(session, position)
    return now + timedelta(seconds=limit) if limit else None


def _closed_phase(session: ClassSession) -> str:
    """Where a question goes when its votes stop: ``voted`` (shown without the
    answer, for discussion) after a first vote in a discussion session, else
    ``closed`` (revealed)."""
    return "voted" if options_of(session).discussion and session.round == 1 else "closed"


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
            closes_at=_limit_end(session, now, 0),
        )


def close_question(session: ClassSession, expected: int | None) -> None:
    """Stop taking answers to the question on screen: reveal it, or in a
    discussion session's first vote show the votes without the answer."""
    if session.pacing != "teacher" or session.phase != "open":
        raise Stale(session.public_id)
    _move(session, expected, phase=_closed_phase(session), closes_at=utcnow())


def discuss(session: ClassSession, expected: int | None) -> None:
    """Stop the first vote and show the votes without the answer, for discussion."""
    if session.pacing != "teacher" or session.phase != "open" or session.round != 1:
        raise Stale(session.public_id)
    _move(session, expected, phase="voted", closes_at=utcnow())


def reveal(session: ClassSession, expected: int | None) -> None:
    """Show the answer of the question whose votes are in."""
    if session.phase != "voted":
        raise Stale(session.public_id)
    _move(session, expected, phase="closed")


def vote_again(session: ClassSession, expected: int | None) -> None:
    """After discussion, before the reveal: a second round of answers."""
    if session.phase != "voted" or session.round >= MAX_ROUNDS:
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
    """After a reveal: the scoreboard (when on), then the next question; the
    end of the session after the last."""
    if session.phase not in ("closed", "board"):
        raise Stale(session.public_id)
    if session.position + 1 >= item_count(session):
        finish(session, expected)
        return
    if session.phase == "closed" and options_of(session).scoreboard:
        _move(session, expected, phase="board")
        return
    now = utcnow()
    _move(
        session,
        expected,
        phase="open",
        position=session.position + 1,
        round=1,
        opened_at=now,
        closes_at=_limit_end(session, now, session.position + 1),
    )


def finish(session: ClassSession, expected: int | None) -> None:
    """End the session: no more answers; the join code is set free (and kept
    as ``ended_code``, so it is not drawn again for a while)."""
    if session.phase == "finished":
        raise Stale(session.public_id)
    now = utcnow()
    _move(
        session,
        expected,
        phase="finished",
        code=None,
        ended_code=session.code,
        finished_at=now,
    )


def more_time(session: ClassSession, expected: int | None) -> None:
    """More time: 30 s more for the open question, or 10 minutes more before
    a student-paced deadline (a deadline passed but within its grace counts
    from now)."""
    if session.phase != "open" or session.closes_at is None:
        raise Stale(session.public_id)
    now = utcnow()
    start_from = max(aware(session.closes_at), now)
    _move(
        session,
        expected,
        closes_at=start_from + timedelta(seconds=MORE_TIME_S[session.pacing]),
    )


def set_locked(session: ClassSession, expected: int | None, locked: bool) -> None:
    """Lock the session (no one may join) or open it again."""
    if session.phase == "finished":
        raise Stale(session.public_id)
    _move(session, expected, locked=locked)


def set_option(session: ClassSession, expected: int | None, name: str, value: bool) -> None:
    """Change a switch the teacher may flip during a session (the scoreboard,
    names on the screen, closing when all have answered)."""
    if name not in ("scoreboard", "show_names", "auto_close"):
        raise ValueError(name)
    options = dict(session.options)
    options[name] = value
    SessionOptions.from_dict(options)  # still valid
    _move(session, expected, options=options)


def close_if_all_answered(session_id: int, position: int, round_: int) -> bool:
    """Close the question at ``position`` (round ``round_``) if every player
    present has answered it (the session's ``auto_close``); True if it closed.

    Counted after each answer in one statement; the conditional UPDATE
    closes it once, whichever of the last answers gets there first.
    """
    present = (
        select(func.count())
        .select_from(Player)
        .where(
            Player.session_id == session_id,
            Player.removed_at.is_(None),
            Player.first_position <= position,
        )
        .scalar_subquery()
    )
    answered = (
        select(func.count())
        .select_from(PlayerAnswer)
        .join(Player, Player.id == PlayerAnswer.player_id)
        .where(*round_answers(session_id, position, round_))
        .scalar_subquery()
    )
    counted_present, counted_answered = db.session.execute(select(present, answered)).one()
    if not counted_present or counted_answered < counted_present:
        db.session.rollback()
        return False
    session = db.session.get(ClassSession, session_id)
    if session.phase != "open" or session.position != position or session.round != round_:
        db.session.rollback()
        return False
    result = db.session.execute(
        update(ClassSession)
        .where(
            ClassSession.id == session_id,
            ClassSession.phase == "open",
            ClassSession.position == position,
            ClassSession.round == round_,
        )
        .values(
            phase=_closed_phase(session),
            closes_at=utcnow(),
            revision=ClassSession.revision + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def typed_responses(session: ClassSession, position: int, round_: int) -> list[ResponseGroup]:
    """The typed answers to one round of a question, grouped (no names)."""
    rows = db.session.execute(
        select(PlayerAnswer.response, PlayerAnswer.fraction)
        .join(Player, Player.id == PlayerAnswer.player_id)
        .where(*round_answers(session.id, position, round_))
    )
    return response_groups((row.response, row.fraction) for row in rows)


def remark(session: ClassSession, position: int, key: str, fraction: float, teacher: User) -> int:
    """Mark every answer to ``position`` whose typed response folds to ``key``
    as ``fraction`` (1 right, 0 wrong), now and for answers still to come;
    points follow the session's scoring. Returns how many answers changed.
    """
    content = item_content(session.id, position)
    if content is None or not 0 <= fraction <= 1:
        raise LookupError(position)
    options = options_of(session)
    limit = item_time_limit(content, options)
    answers = db.session.scalars(
        select(PlayerAnswer).where(
            PlayerAnswer.session_id == session.id, PlayerAnswer.position == position
        )
    ).all()
    changed = 0
    for answer in answers:
        if response_key(answer.response) != key:
            continue
        answer.fraction = fraction
        answer.points = (
            live_points(options, fraction, answer.confidence, answer.time_taken_ms, limit)
            if answer.round == 1
            else 0.0
        )
        changed += 1
    db.session.execute(
        delete(Remark).where(
            Remark.session_id == session.id,
            Remark.position == position,
            Remark.response_key == key,
        )
    )
    db.session.add(
        Remark(
            session_id=session.id,
            position=position,
            response_key=key,
            fraction=fraction,
            marked_by_id=teacher.id,
        )
    )
    db.session.flush()
    _move(session, None)
    return changed


def _own_player(session: ClassSession, player_id: int) -> Player:
    player = db.session.get(Player, player_id)
    if player is None or player.session_id != session.id:
        raise LookupError(player_id)
    return player


def remove_player(session: ClassSession, player_id: int, ban: bool = False) -> None:
    """Take a player out of the session (their answers stay in the record);
    with ``ban``, their browser cannot join this session again either."""
    player = _own_player(session, player_id)
    if player.removed_at is None or (ban and not player.banned):
        player.removed_at = player.removed_at or utcnow()
        player.banned = player.banned or ban
        db.session.flush()
        _move(session, None)


def show_name(session: ClassSession, player_id: int, shown: bool) -> None:
    """Approve a nickname for the screen, or hide it (the player plays on as a number)."""
    player = _own_player(session, player_id)
    if player.name_shown != shown:
        player.name_shown = shown
        db.session.flush()
        _move(session, None)


def rename_player(session: ClassSession, player_id: int, nickname: str) -> None:
    """Give a player another nickname (already checked by the caller); shown
    at once. Raises ``LookupError``, or ``ValueError`` when it is taken."""
    player = _own_player(session, player_id)
    player.nickname, player.nickname_key, player.name_shown = nickname, fold(nickname), True
    try:
        db.session.flush()
    except IntegrityError as taken:
        db.session.rollback()
        raise ValueError("taken") from taken
    _move(session, None)


def archive(session: ClassSession, archived: bool = True) -> None:
    """Set a session aside on the dashboard, or bring it back. A running one
    is ended first: an archived session takes no one."""
    if archived and session.phase != "finished":
        finish(session, None)
    session.archived_at = utcnow() if archived else None
    db.session.commit()


def delete_session(session: ClassSession) -> None:
    """Delete an ended (or never started) session with its players and answers."""
    if session.phase not in ("finished", "lobby"):
        raise Stale(session.public_id)
    players = select(Player.id).where(Player.session_id == session.id)
    db.session.execute(delete(MemberPlayer).where(MemberPlayer.player_id.in_(players)))
    for model in (PlayerAnswer, Remark, Player, SessionItem, SessionClass):
        db.session.execute(delete(model).where(model.session_id == session.id))
    db.session.delete(session)
    db.session.commit()


def _time_is_up(phase: str, closes_at: datetime | None, now: datetime, pacing: str = "") -> bool:
    """An open question's time limit, or a student-paced deadline and its
    grace, has run out (``pacing`` "student" adds the grace)."""
    if phase != "open" or closes_at is None:
        return False
    end = aware(closes_at) + (DEADLINE_GRACE if pacing == "student" else timedelta(0))
    return end <= now


def past_deadline(session: ClassSession, now: datetime | None = None) -> bool:
    """A student-paced session past its deadline, in its grace: the answer on
    a phone's screen is still taken, no new question is shown."""
    return (
        session.pacing == "student"
        and session.phase == "open"
        and session.closes_at is not None
        and aware(session.closes_at) <= (now or utcnow())
    )


def idle_since(session: ClassSession) -> datetime:
    """The last activity in the session: a teacher's step, a join or an answer."""
    joined = select(func.max(Player.joined_at)).where(Player.session_id == session.id)
    answered = select(func.max(PlayerAnswer.answered_at)).where(
        PlayerAnswer.session_id == session.id
    )
    moments = [
        session.active_at,
        session.created_at,
        *db.session.execute(select(joined.scalar_subquery(), answered.scalar_subquery())).one(),
    ]
    return max(aware(moment) for moment in moments if moment is not None)


def end_if_idle(session: ClassSession, now: datetime | None = None) -> bool:
    """End a session nobody touched for ``QUIZ_SESSION_IDLE_HOURS``; True if it ended.

    Cheap in the common case: only a session whose last teacher step is
    that old is looked at further (joins and answers count as activity).
    """
    if session.phase == "finished":
        return False
    now = now or utcnow()
    idle = timedelta(hours=_setting("QUIZ_SESSION_IDLE_HOURS", 12))
    last_step = aware(session.active_at or session.created_at)
    if last_step is None or last_step > now - idle or idle_since(session) > now - idle:
        return False
    try:
        finish(session, session.revision)
    except Stale:
        return False
    return True


def end_idle_sessions(teacher: User | None = None) -> int:
    """End every idle session (of ``teacher``): how many ended."""
    now = utcnow()
    idle = timedelta(hours=_setting("QUIZ_SESSION_IDLE_HOURS", 12))
    query = select(ClassSession).where(
        ClassSession.phase != "finished",
        or_(
            ClassSession.active_at < now - idle,
            ClassSession.active_at.is_(None) & (ClassSession.created_at < now - idle),
        ),
    )
    if teacher is not None:
        query = query.where(ClassSession.teacher_id == teacher.id)
    return sum(end_if_idle(session, now) for session in db.session.scalars(query).all())


def settle_if_due(
    session_id: int, phase: str, closes_at: datetime | None, pacing: str
) -> ClassSession | None:
    """Settle session ``session_id`` if its ``phase`` and ``closes_at``, as
    just read, say its time ran out: the session, settled (None: nothing due).

    For the paths that read a session's row without loading it (polls,
    answers): a session is loaded only in the rare request that settles it.
    """
    if not _time_is_up(phase, closes_at, utcnow(), pacing):
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
    if end_if_idle(session, now):
        return
    if not _time_is_up(session.phase, session.closes_at, now, session.pacing):
        return
    closes_at = aware(session.closes_at)
    grace = DEADLINE_GRACE if session.pacing == "student" else timedelta(0)
    due = (
        update(ClassSession)
        .where(
            ClassSession.id == session.id,
            ClassSession.phase == "open",
            ClassSession.closes_at <= now - grace,
        )
        .execution_options(synchronize_session=False)
    )
    if session.pacing == "student":
        due = due.values(
            phase="finished",
            code=None,
            ended_code=session.code,
            finished_at=closes_at,
            revision=ClassSession.revision + 1,
        )
    else:
        due = due.values(phase=_closed_phase(session), revision=ClassSession.revision + 1)
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
