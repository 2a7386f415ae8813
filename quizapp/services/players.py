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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, and_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from quizapp.domain.live import (
    SessionOptions,
    device_choice_order,
    item_time_limit,
    live_points,
    response_key,
)
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
from quizapp.extensions import AUTOCOMMIT, db
from quizapp.models import (
    ClassMember,
    ClassSession,
    MemberPlayer,
    Player,
    PlayerAnswer,
    Remark,
    SessionItem,
)
from quizapp.models.content import aware, utcnow
from quizapp.services import rate_limits
from quizapp.services.classroom import (
    DEADLINE_GRACE,
    close_if_all_answered,
    options_of,
    settle_if_due,
)
from quizapp.services.content import item_content
from quizapp.services.direct import DirectRead

GENERATED_TRIES = 12
#: How long a session's count of players is kept (see :func:`join`): longer
#: than any session takes joiners.
PLACES_KEPT_S = 366 * 24 * 3600


#: Question types answered by typing: their responses are grouped for the
#: teacher and can be marked again (see :class:`quizapp.models.Remark`).
TYPED = ("short_text", "numeric")


class JoinRefused(Exception):
    """Joining is not possible: ``code`` is ``finished``, ``started``,
    ``removed``, ``locked`` or ``full``."""

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
    member: ClassMember | None = None,
    device: str | None = None,
) -> Player:
    """Add a player to ``session``, or find the one ``token`` already names.

    ``device`` is the browser's long-lived id: a browser whose player was
    removed with a ban cannot join again, under any name. A locked session
    takes no new player (one already in comes back).

    A ``member`` of the session's class plays under the class nickname, and
    is the same player on every browser: their player in the session, if
    they have one, is found and returned.

    Raises :class:`JoinRefused` or :class:`NicknameError` (``taken`` for a
    nickname in use, compared case- and width-insensitively).

    A new player first takes a place among the session's ``max_players``
    in a counter shared by every worker (one statement that counts and
    checks the cap at once, so concurrent joins cannot overshoot it); a
    join that then fails gives its place back.
    """
    existing = player_by_token(session, token)
    if existing is None and member is not None:
        existing = member_player(session, member)
    if existing is not None:
        if existing.removed_at is not None:
            raise JoinRefused("removed")
        return existing
    if session.phase == "finished":
        raise JoinRefused("finished")
    if device and _banned(session, device):
        raise JoinRefused("removed")
    if session.locked:
        raise JoinRefused("locked")
    options = options_of(session)
    if session.phase != "lobby" and not options.late_join:
        raise JoinRefused("started")
    if member is not None:
        nickname, options = member.nickname, replace(options, nicknames="free")
        deny = DenyList.of([])  # checked when the member joined the class
    if options.nicknames == "free":
        check_nickname(nickname, deny)  # a refused nickname takes no place
    places = f"places:session:{session.id}"
    if not rate_limits.take_place(places, options.max_players, PLACES_KEPT_S):
        raise JoinRefused("full")
    try:
        return _add_player(session, options, nickname, deny, language, rng, member, device)
    except NicknameError:
        rate_limits.give_back_place(places)
        # The same member joining from two browsers at once: one player.
        again = member_player(session, member) if member is not None else None
        if again is None:
            raise
        return again
    except BaseException:
        rate_limits.give_back_place(places)
        raise


def _banned(session: ClassSession, device: str) -> bool:
    return (
        db.session.scalar(
            select(Player.id)
            .where(Player.session_id == session.id, Player.device == device, Player.banned)
            .limit(1)
        )
        is not None
    )


def member_player(session: ClassSession, member: ClassMember) -> Player | None:
    """The member's player in ``session`` (joined from any of their browsers)."""
    return db.session.scalar(
        select(Player)
        .join(MemberPlayer, MemberPlayer.player_id == Player.id)
        .where(Player.session_id == session.id, MemberPlayer.member_id == member.id)
        .order_by(Player.id)
        .limit(1)
    )


def _add_player(
    session, options, nickname, deny, language, rng, member=None, device=None
) -> Player:
    """Store the new player under a nickname not taken in the session."""
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
            device=device,
            # A class member's nickname was checked when they joined the
            # class; a generated one needs no approval either.
            name_shown=member is not None or generated or not options.approve_names,
        )
        db.session.add(player)
        if member is not None:
            db.session.add(MemberPlayer(player=player, member_id=member.id))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return player
    raise NicknameError("taken")


# The statements of the answer path, built once: a class sends hundreds of
# answers in seconds, and building a statement costs more than running it.
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
#: What recording an answer reads: one row (see :class:`Seat`), sent to the
#: driver directly.
_SEAT = DirectRead(
    select(
        ClassSession.id.label("session_id"),
        ClassSession.pacing,
        ClassSession.phase,
        ClassSession.options,
        ClassSession.started_at,
        ClassSession.opened_at,
        ClassSession.closes_at,
        Player.id.label("player_id"),
        Player.removed_at,
        Player.joined_at,
        _ANSWERED.label("answered"),
        _LAST_ANSWERED_AT.label("last_answered_at"),
    )
    .join(Player, Player.session_id == ClassSession.id)
    .where(ClassSession.public_id == bindparam("public_id"), Player.token == bindparam("token"))
)


@dataclass(frozen=True)
class Seat:
    """What recording a player's answer reads about the session and the
    player, as plain values: the answer route reads them in one row, without
    loading either into the ORM session."""

    session_id: int
    pacing: str
    phase: str
    options: dict
    started_at: datetime | None
    opened_at: datetime | None
    closes_at: datetime | None
    player_id: int
    removed_at: datetime | None
    joined_at: datetime | None
    #: The player's answers so far (student-paced: the current question's
    #: position, as answers are only recorded in order) and the last one's time.
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


def seat_for_answer(public_id: str, token: str | None) -> Seat | None:
    """The :class:`Seat` of session ``public_id``'s player holding ``token``
    (None: no such pair), read in one autocommit statement; a time limit or
    deadline run out is settled first."""
    if not token:
        return None
    engine = db.engines[AUTOCOMMIT]
    row = _SEAT.first(engine, public_id=public_id, token=token)
    if row is not None and settle_if_due(row.session_id, row.phase, row.closes_at, row.pacing):
        row = _SEAT.first(engine, public_id=public_id, token=token)
    return None if row is None else Seat(**row._asdict())


def seat_of(session: ClassSession, player: Player) -> Seat:
    """The :class:`Seat` of a session and player already loaded."""
    answered, last_answered_at = db.session.execute(
        select(_ANSWERED, _LAST_ANSWERED_AT).where(Player.id == player.id)
    ).one()
    return Seat(
        session.id,
        session.pacing,
        session.phase,
        session.options,
        session.started_at,
        session.opened_at,
        session.closes_at,
        player.id,
        player.removed_at,
        player.joined_at,
        answered,
        last_answered_at,
    )


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


def _elapsed_ms(seat: Seat, since: datetime | None, now: datetime):
    """Milliseconds from ``since`` (or, student-paced, the player's start) to ``now``."""
    starts = (aware(since), aware(seat.started_at), aware(seat.joined_at))
    if seat.pacing == "teacher":
        moment = aware(seat.opened_at)
    else:
        moment = max((m for m in starts if m is not None), default=None)
    if moment is None:
        return None
    return max(0, int((now - moment).total_seconds() * 1000))


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
        or_(
            ClassSession.closes_at.is_(None),
            ClassSession.closes_at > bindparam("window_at", type_=_ANSWER_COLUMNS["answered_at"]),
        ),
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


def _insert_while_open(
    connection, teacher_paced: bool, row: dict[str, Any], window_at: datetime
) -> bool:
    """Insert the answer ``row`` if, in the same statement, the window is
    open: the question still open at ``window_at``."""
    statement = _insert_statement(teacher_paced, connection.dialect.name)
    # SQLAlchemy keeps an INSERT's rowcount only when asked; psycopg's reads
    # -1 once the cursor is released, which would call every answer late.
    result = connection.execute(
        statement,
        {f"v_{name}": value for name, value in row.items()} | {"window_at": window_at},
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
) -> AnswerResult:
    """:func:`record` for a session and player already loaded."""
    return record(seat_of(session, player), position, round_, values, confidence)


def record(
    seat: Seat, position: int, round_: int, values: list[str], confidence: int | None
) -> AnswerResult:
    """Grade and record the answer of ``seat``'s player to ``position`` (round ``round_``).

    Raises :class:`ResponseError` for values that are not an answer
    (including a missing confidence when the session asks for it).

    The answer is written by one statement in autocommit: a transaction
    around it would add nothing (the statement checks the window itself)
    but, on PostgreSQL, two round trips (BEGIN and COMMIT) per answer.
    """
    if seat.removed_at is not None:
        raise JoinRefused("removed")
    content = item_content(seat.session_id, position)
    if content is None:
        raise LookupError(position)
    last_answer = None
    if seat.pacing == "student":
        last_answer = seat.last_answered_at
        if position < seat.answered:
            return AnswerResult("repeat", seat.player_id, position, 1)
        if position > seat.answered:
            return AnswerResult("not_current")
        round_ = 1
    options = SessionOptions.from_dict(seat.options)
    response = REGISTRY[content["type"]].read_response(values, content)
    if options.asks_confidence and round_ == 1:  # a revote scores nothing: no certainty
        if confidence not in CONFIDENCE_LEVELS:
            raise ResponseError("no_confidence")
    else:
        confidence = None
    fraction = REGISTRY[content["type"]].grade(content["answer"], response)
    if content["type"] in TYPED:
        fraction = remarked(seat.session_id, position, response, fraction)
    now = utcnow()
    elapsed = _elapsed_ms(seat, last_answer, now)
    row = {
        "session_id": seat.session_id,
        "player_id": seat.player_id,
        "position": position,
        "round": round_,
        "response": response,
        "fraction": fraction,
        # Only the first round scores: a second vote after discussion is
        # for learning, and scoring it would reward copying.
        "points": live_points(
            options, fraction, confidence, elapsed, item_time_limit(content, options)
        )
        if round_ == 1
        else 0.0,
        "confidence": confidence,
        "time_taken_ms": elapsed,
        "answered_at": now,
    }
    standing = AnswerResult("repeat", seat.player_id, position, round_)
    # A student-paced deadline does not cut off the answer being written:
    # the window stays open for its grace (no new question is shown then).
    window_at = now - DEADLINE_GRACE if seat.pacing == "student" else now
    try:
        with db.engines[AUTOCOMMIT].connect() as connection:
            inserted = _insert_while_open(connection, seat.pacing == "teacher", row, window_at)
    except IntegrityError:
        # A second submission raced this one and won: its answer stands.
        return standing
    if not inserted:
        # Closed, or answered before: an answer that stands says so first.
        return standing if standing.answer is not None else AnswerResult("late")
    if seat.pacing == "teacher" and options.auto_close:
        close_if_all_answered(seat.session_id, position, round_)
    return AnswerResult("recorded", seat.player_id, position, round_)


def remarked(session_id: int, position: int, response: Any, fraction: float) -> float:
    """``fraction``, or what the teacher marked this typed response as."""
    marked = db.session.scalar(
        select(Remark.fraction).where(
            Remark.session_id == session_id,
            Remark.position == position,
            Remark.response_key == response_key(response),
        )
    )
    return fraction if marked is None else marked
