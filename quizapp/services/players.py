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

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, literal, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

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
from quizapp.services.classroom import item_count, options_of

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


@dataclass
class AnswerResult:
    """What happened to a submitted answer.

    ``status``: ``recorded``; ``repeat`` (an answer already stood; this one
    changed nothing); ``late`` (the question had closed); ``not_current``
    (student-paced: not the player's current question).
    """

    status: str
    answer: PlayerAnswer | None = None


def item_at(session: ClassSession, position: int) -> SessionItem | None:
    """The session's item at ``position``."""
    return db.session.get(SessionItem, (session.id, position))


def player_answer(player: Player, position: int, round_: int = 1) -> PlayerAnswer | None:
    """The player's answer to one round of one question, if any."""
    return db.session.scalar(
        select(PlayerAnswer).where(
            PlayerAnswer.player_id == player.id,
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
    content = item.question_version.content
    return device_choice_order(content, player.seed, item.position, options_of(session).shuffle)


def device_view(session: ClassSession, player: Player, item: SessionItem) -> QuestionView:
    """The question as this player's device shows it before it closes."""
    return question_view(item.question_version.content, device_order(session, player, item))


def _elapsed_ms(session: ClassSession, player: Player, position: int, now: datetime) -> int | None:
    if session.pacing == "teacher":
        since = aware(session.opened_at)
    else:
        previous = db.session.scalar(
            select(PlayerAnswer.answered_at)
            .where(PlayerAnswer.player_id == player.id)
            .order_by(PlayerAnswer.answered_at.desc())
            .limit(1)
        )
        since = max(
            moment
            for moment in (aware(previous), aware(session.started_at), aware(player.joined_at))
            if moment is not None
        )
    if since is None:
        return None
    return max(0, int((now - since).total_seconds() * 1000))


def _insert_while_open(session: ClassSession, row: dict[str, Any], now: datetime) -> bool:
    """Insert the answer ``row`` if, in the same statement, the window is open."""
    window = [
        ClassSession.id == session.id,
        ClassSession.phase == "open",
        or_(ClassSession.closes_at.is_(None), ClassSession.closes_at > now),
    ]
    if session.pacing == "teacher":
        window += [ClassSession.position == row["position"], ClassSession.round == row["round"]]
    types = {
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
    columns = list(types)
    source = select(*(literal(row[name], type_=types[name]).label(name) for name in columns)).where(
        *window
    )
    if db.session.get_bind().dialect.name == postgresql.dialect.name:
        source = source.with_for_update(read=True, of=ClassSession)
    else:
        source = source.select_from(ClassSession)
    statement = PlayerAnswer.__table__.insert().from_select(columns, source)
    # SQLAlchemy keeps an INSERT's rowcount only when asked; psycopg's reads
    # -1 once the cursor is released, which would call every answer late.
    result = db.session.execute(statement, execution_options={"preserve_rowcount": True})
    return result.rowcount == 1


def submit(
    session: ClassSession,
    player: Player,
    position: int,
    round_: int,
    values: list[str],
    confidence: int | None,
) -> AnswerResult:
    """Grade and record a player's answer to ``position`` (round ``round_``).

    Raises :class:`ResponseError` for values that are not an answer
    (including a missing confidence when the session asks for it).
    """
    if player.removed_at is not None:
        raise JoinRefused("removed")
    earlier = player_answer(player, position, round_)
    if earlier is not None:
        return AnswerResult("repeat", earlier)
    item = item_at(session, position)
    if item is None:
        raise LookupError(position)
    if session.pacing == "student":
        upcoming = next_position(player, item_count(session))
        if upcoming is not None and position != upcoming:
            return AnswerResult("not_current")
        round_ = 1
    options: SessionOptions = options_of(session)
    content = item.question_version.content
    response = REGISTRY[content["type"]].read_response(values, content)
    if options.asks_confidence:
        if confidence not in CONFIDENCE_LEVELS:
            raise ResponseError("no_confidence")
    else:
        confidence = None
    fraction = REGISTRY[content["type"]].grade(content["answer"], response)
    now = utcnow()
    elapsed = _elapsed_ms(session, player, position, now)
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
    try:
        inserted = _insert_while_open(session, row, now)
        db.session.commit()
    except IntegrityError:
        # A second submission raced this one and won: its answer stands.
        db.session.rollback()
        return AnswerResult("repeat", player_answer(player, position, round_))
    if not inserted:
        db.session.refresh(session)
        return AnswerResult("late")
    return AnswerResult("recorded", player_answer(player, position, round_))
