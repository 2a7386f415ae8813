"""Classroom sessions, the students' side: joining, rejoining, answering.

The rule "one answer per player per question, only while it is open" is
kept by the database, not by a check before the write:

* the unique constraint on (player, position, round) makes a second answer
  fail, however the requests interleave;
* the answer is written by one ``INSERT … SELECT … FROM class_session
  WHERE <the question is open>``, so the window is checked in the very
  statement that writes. On PostgreSQL the SELECT takes a share lock on the
  session row: answers do not block each other, but the teacher's "close"
  waits for answers already being written and any answer after it sees the
  question closed. SQLite runs each write alone, which gives the same.
"""

from __future__ import annotations

import functools
import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, and_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from quizapp.domain.live import SessionOptions, device_choice_order, live_points
from quizapp.domain.nicknames import (
    DenyList,
    NicknameError,
    check_nickname,
    fold,
    generated_nickname,
)
from quizapp.domain.presentation import QuestionView, question_view
from quizapp.domain.question_types import REGISTRY, ResponseError
from quizapp.domain.scoring import CONFIDENCE_LEVELS
from quizapp.extensions import db
from quizapp.models import ClassSession, Player, PlayerAnswer, SessionItem
from quizapp.models.content import aware, utcnow
from quizapp.services.classroom import options_of
from quizapp.services.content import item_content

GENERATED_TRIES = 12


class JoinRefused(Exception):
    """Joining is not possible: ``code`` is ``finished``, ``started`` or ``removed``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def player_by_token(session: ClassSession, token: str | None) -> Player | None:
    """The player of ``session`` holding ``token`` (removed players included)."""
    if not token:
        return None
    return db.session.scalar(
        select(Player).where(Player.session_id == session.id, Player.token == token)
    )


def _first_position(session: ClassSession) -> int:
    """Where a player joining now starts: earlier questions are "absent"."""
    if session.pacing == "student" or session.phase == "lobby":
        return 0
    if session.phase == "open":
        return session.position
    return session.position + 1  # closed: the question on screen is over


def join(
    session: ClassSession,
    nickname: str,
    deny: DenyList,
    *,
    token: str | None = None,
    language: str = "en",
    rng: random.Random | None = None,
) -> Player:
    """Add a player to ``session``, or find the one ``token`` already names.

    Raises :class:`JoinRefused` or :class:`NicknameError` (``taken`` for a
    nickname in use, compared case- and width-insensitively).
    """
    existing = player_by_token(session, token)
    if existing is not None:
        if existing.removed_at is not None:
            raise JoinRefused("removed")
        return existing
    if session.phase == "finished":
        raise JoinRefused("finished")
    options = options_of(session)
    if session.phase != "lobby" and not options.late_join:
        raise JoinRefused("started")
    rng = rng or random.SystemRandom()
    generated = options.nicknames == "generated"
    tries = GENERATED_TRIES if generated else 1
    for attempt in range(tries):
        name = (
            generated_nickname(rng, language, attempt)
            if generated
            else check_nickname(nickname, deny)
        )
        player = Player(
            session_id=session.id,
            nickname=name,
            nickname_key=fold(name),
            token=secrets.token_urlsafe(24),
            seed=secrets.token_hex(8),
            first_position=_first_position(session),
            language=language,
        )
        db.session.add(player)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return player
    raise NicknameError("taken")


# The statements of the answer path, built once: a class sends hundreds of
# answers in seconds, and building a statement costs more than running it.
_SESSION_AND_PLAYER = (
    select(ClassSession, Player)
    .join(Player, Player.session_id == ClassSession.id)
    .where(ClassSession.public_id == bindparam("public_id"), Player.token == bindparam("token"))
)
_ANSWERED = (
    select(func.count())
    .where(PlayerAnswer.player_id == Player.id)
    .correlate(Player)
    .scalar_subquery()
)
_LAST_ANSWERED_AT = (
    select(func.max(PlayerAnswer.answered_at))
    .where(PlayerAnswer.player_id == Player.id)
    .correlate(Player)
    .scalar_subquery()
)
_SESSION_PLAYER_PROGRESS = _SESSION_AND_PLAYER.add_columns(_ANSWERED, _LAST_ANSWERED_AT)


@dataclass
class Progress:
    """How many answers a player has (student-paced: also the position of
    their current question, as answers are only recorded in order) and when
    the last one came."""

    answered: int
    last_answered_at: datetime | None


@dataclass
class Screen:
    """What a player's live screen is made of, read in one query.

    Each phone of a class reads it whenever the teacher moves the session
    on: one query instead of four saves a class forty round trips to the
    database at the moment all of them wait for their new screen.
    """

    session: ClassSession
    player: Player
    #: The session's item at its current position (None in the lobby).
    item: SessionItem | None
    #: The player's answer to the current round of that item, and to its first round.
    answer: PlayerAnswer | None
    first_answer: PlayerAnswer | None


_THIS_ROUND = aliased(PlayerAnswer)
_FIRST_ROUND = aliased(PlayerAnswer)


def _answer_at_position(answer, round_):
    """The join of the player's answer ``answer`` (an alias) to ``round_``
    of the question the session is at."""
    return and_(
        answer.player_id == Player.id,
        answer.position == ClassSession.position,
        answer.round == round_,
    )


_SCREEN = (
    select(ClassSession, Player, SessionItem, _THIS_ROUND, _FIRST_ROUND)
    .join(Player, Player.session_id == ClassSession.id)
    .outerjoin(
        SessionItem,
        and_(
            SessionItem.session_id == ClassSession.id,
            SessionItem.position == ClassSession.position,
        ),
    )
    .outerjoin(_THIS_ROUND, _answer_at_position(_THIS_ROUND, ClassSession.round))
    .outerjoin(_FIRST_ROUND, _answer_at_position(_FIRST_ROUND, 1))
    .where(ClassSession.public_id == bindparam("public_id"), Player.token == bindparam("token"))
)


def screen_of(public_id: str, token: str | None) -> Screen | None:
    """The :class:`Screen` of session ``public_id``'s player holding ``token``
    (None: no such pair)."""
    if not token:
        return None
    row = db.session.execute(_SCREEN, {"public_id": public_id, "token": token}).first()
    return None if row is None else Screen(*row)


def seat_for_answer(
    public_id: str, token: str | None
) -> tuple[ClassSession, Player, Progress] | None:
    """Session ``public_id``, its player holding ``token`` and the player's
    :class:`Progress`, in one query:
    everything :func:`submit` reads besides the question."""
    if not token:
        return None
    row = db.session.execute(
        _SESSION_PLAYER_PROGRESS, {"public_id": public_id, "token": token}
    ).first()
    return None if row is None else (row[0], row[1], Progress(row[2], row[3]))


@dataclass
class AnswerResult:
    """What happened to a submitted answer.

    ``status``: ``recorded``; ``repeat`` (an answer already stood; this one
    changed nothing); ``late`` (the question had closed); ``not_current``
    (student-paced: not the player's current question).
    """

    status: str
    player_id: int = 0
    position: int = 0
    round: int = 1

    @property
    def answer(self) -> PlayerAnswer | None:
        """The answer that stands (recorded now, or the earlier one), read when asked:
        the answer route needs only the status."""
        if self.status not in ("recorded", "repeat"):
            return None
        return _answer_row(self.player_id, self.position, self.round)


def item_at(session: ClassSession, position: int) -> SessionItem | None:
    """The session's item at ``position``."""
    return db.session.get(SessionItem, (session.id, position))


def player_answer(player: Player, position: int, round_: int = 1) -> PlayerAnswer | None:
    """The player's answer to one round of one question, if any."""
    return _answer_row(player.id, position, round_)


def _answer_row(player_id: int, position: int, round_: int) -> PlayerAnswer | None:
    return db.session.scalar(
        select(PlayerAnswer).where(
            PlayerAnswer.player_id == player_id,
            PlayerAnswer.position == position,
            PlayerAnswer.round == round_,
        )
    )


def answered_positions(player: Player) -> set[int]:
    """The positions the player has answered (any round)."""
    return set(
        db.session.scalars(select(PlayerAnswer.position).where(PlayerAnswer.player_id == player.id))
    )


def next_position(player: Player, count: int) -> int | None:
    """Student-paced: the player's first unanswered position (None when done)."""
    done = answered_positions(player)
    return next((position for position in range(count) if position not in done), None)


def device_order(session: ClassSession, player: Player, item: SessionItem) -> list[str] | None:
    """The choice order on this player's device."""
    content = item_content(session.id, item.position)
    return device_choice_order(content, player.seed, item.position, options_of(session).shuffle)


def device_view(session: ClassSession, player: Player, item: SessionItem) -> QuestionView:
    """The question as this player's device shows it before it closes."""
    content = item_content(session.id, item.position)
    return question_view(content, device_order(session, player, item))


def _elapsed_ms(session: ClassSession, player: Player, since: datetime | None, now: datetime):
    """Milliseconds from ``since`` (or, student-paced, the player's start) to ``now``."""
    starts = (aware(since), aware(session.started_at), aware(player.joined_at))
    if session.pacing == "teacher":
        moment = aware(session.opened_at)
    else:
        moment = max((m for m in starts if m is not None), default=None)
    if moment is None:
        return None
    return max(0, int((now - moment).total_seconds() * 1000))


def progress_of(player: Player) -> Progress:
    """The player's :class:`Progress`, read now."""
    answered, last = db.session.execute(
        select(_ANSWERED, _LAST_ANSWERED_AT).where(Player.id == player.id)
    ).one()
    return Progress(answered, last)


#: The answer row's columns and their types.
_ANSWER_COLUMNS = {
    "session_id": Integer,
    "player_id": Integer,
    "position": Integer,
    "round": Integer,
    "response": JSON,
    "fraction": Float,
    "points": Float,
    "confidence": Integer,
    "time_taken_ms": Integer,
    "answered_at": PlayerAnswer.__table__.c.answered_at.type,
}


@functools.cache
def _insert_statement(teacher_paced: bool, dialect: str):
    """``INSERT … SELECT <the row> FROM class_session WHERE <the question is open>``.

    Built once per kind of session and database, with the row's values as
    parameters: building the statement cost more than running it.
    """
    window = [
        ClassSession.id == bindparam("v_session_id"),
        ClassSession.phase == "open",
        or_(ClassSession.closes_at.is_(None), ClassSession.closes_at > bindparam("v_answered_at")),
    ]
    if teacher_paced:
        window += [
            ClassSession.position == bindparam("v_position"),
            ClassSession.round == bindparam("v_round"),
        ]
    source = select(
        *(bindparam(f"v_{name}", type_=kind).label(name) for name, kind in _ANSWER_COLUMNS.items())
    ).where(*window)
    if dialect == postgresql.dialect.name:
        source = source.with_for_update(read=True, of=ClassSession)
    else:
        source = source.select_from(ClassSession)
    return PlayerAnswer.__table__.insert().from_select(list(_ANSWER_COLUMNS), source)


def _insert_while_open(session: ClassSession, row: dict[str, Any]) -> bool:
    """Insert the answer ``row`` if, in the same statement, the window is open."""
    dialect = db.session.get_bind().dialect.name
    statement = _insert_statement(session.pacing == "teacher", dialect)
    # SQLAlchemy keeps an INSERT's rowcount only when asked; psycopg's reads
    # -1 once the cursor is released, which would call every answer late.
    result = db.session.execute(
        statement,
        {f"v_{name}": value for name, value in row.items()},
        execution_options={"preserve_rowcount": True},
    )
    return result.rowcount == 1


def submit(
    session: ClassSession,
    player: Player,
    position: int,
    round_: int,
    values: list[str],
    confidence: int | None,
    progress: Progress | None = None,
) -> AnswerResult:
    """Grade and record a player's answer to ``position`` (round ``round_``).

    Raises :class:`ResponseError` for values that are not an answer
    (including a missing confidence when the session asks for it).
    ``progress``, if the caller read it already (:func:`seat_for_answer`),
    saves a query in student-paced sessions.
    """
    if player.removed_at is not None:
        raise JoinRefused("removed")
    player_id = player.id  # the commit below expires the row; nothing reloads it
    content = item_content(session.id, position)
    if content is None:
        raise LookupError(position)
    last_answer = None
    if session.pacing == "student":
        progress = progress or progress_of(player)
        answered, last_answer = progress.answered, progress.last_answered_at
        if position < answered:
            return AnswerResult("repeat", player_id, position, 1)
        if position > answered:
            return AnswerResult("not_current")
        round_ = 1
    options: SessionOptions = options_of(session)
    response = REGISTRY[content["type"]].read_response(values, content)
    if options.asks_confidence:
        if confidence not in CONFIDENCE_LEVELS:
            raise ResponseError("no_confidence")
    else:
        confidence = None
    fraction = REGISTRY[content["type"]].grade(content["answer"], response)
    now = utcnow()
    elapsed = _elapsed_ms(session, player, last_answer, now)
    row = {
        "session_id": session.id,
        "player_id": player.id,
        "position": position,
        "round": round_,
        "response": response,
        "fraction": fraction,
        # Only the first round scores: a second vote after discussion is
        # for learning, and scoring it would reward copying.
        "points": live_points(options, fraction, confidence, elapsed) if round_ == 1 else 0.0,
        "confidence": confidence,
        "time_taken_ms": elapsed,
        "answered_at": now,
    }
    standing = AnswerResult("repeat", player_id, position, round_)
    try:
        inserted = _insert_while_open(session, row)
        db.session.commit()
    except IntegrityError:
        # A second submission raced this one and won: its answer stands.
        db.session.rollback()
        return standing
    if not inserted:
        # Closed, or answered before: an answer that stands says so first.
        db.session.refresh(session)
        return standing if standing.answer is not None else AnswerResult("late")
    return AnswerResult("recorded", player_id, position, round_)
