"""Live classroom sessions: the session, its questions, players and answers.

Everything live is here, in the database, never in a worker's memory: the
phase of the session, the question on screen, when it closes. Any worker
on any host answers any request from these rows alone.

``ClassSession.revision`` goes up by one on every change a teacher makes
(start, close, next, vote again, remove a player, finish) and when a time
limit runs out. Screens poll it cheaply and fetch a new page only when it
changed. Answers do not bump it: two hundred students answering at once
must not queue on one row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.models.content import QuestionVersion, utcnow

PACINGS = ("teacher", "student")
#: Teacher-paced: lobby → open → [voted → open (round 2) →] closed → [board →]
#: open (the next question) … → finished. ``voted``: the votes are in and
#: shown without the answer, for discussion; ``closed``: the answer is
#: revealed; ``board``: the scoreboard between questions.
#: Student-paced: lobby → open → finished.
PHASES = ("lobby", "open", "voted", "closed", "board", "finished")


class ClassSession(db.Model):
    """A quiz a teacher runs with a class."""

    __tablename__ = "class_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and unguessable: URLs use it.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # The short code students type. Set free (NULL) when the session
    # finishes, so codes stay short; ``ended_code`` keeps it, so that an old
    # QR code says "ended" and the code is not drawn again for a while
    # (``QUIZ_CODE_REUSE_DAYS``).
    code: Mapped[str | None] = mapped_column(String(8), unique=True)
    ended_code: Mapped[str | None] = mapped_column(String(8), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The one-time token of the form that created it (a double click
    # creates one session).
    request_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    pacing: Mapped[str] = mapped_column(String(16))
    # The options (see quizapp.domain.live.SessionOptions.as_dict).
    options: Mapped[dict] = mapped_column(JSON)
    phase: Mapped[str] = mapped_column(String(16), default="lobby")
    # Teacher-paced: the item on screen and its voting round (1, or 2 after
    # "vote again").
    position: Mapped[int | None] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the open question stops taking answers (its time limit), or for a
    # student-paced session its deadline; NULL for no limit.
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # No one may join while locked (the teacher's choice, any time).
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The last thing the teacher did or a student joined: a session idle
    # for ``QUIZ_SESSION_IDLE_HOURS`` ends itself (answers do not write
    # this row, see above, so they do not count).
    active_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set aside on the dashboard (still there, with its answers).
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    teacher: Mapped[User] = relationship()
    items: Mapped[list[SessionItem]] = relationship(
        back_populates="session", order_by="SessionItem.position"
    )


class SessionItem(db.Model):
    """The question version at one position of a session."""

    __tablename__ = "class_session_item"

    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    # How many voting rounds it had (2 after "vote again").
    rounds: Mapped[int] = mapped_column(Integer, default=1)
    # Seconds to answer (the bank's time for the question, or the session's);
    # NULL: the teacher closes it.
    time_limit: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[ClassSession] = relationship(back_populates="items")
    question_version: Mapped[QuestionVersion] = relationship()


class Player(db.Model):
    """A student in a session, known by a nickname and a secret token."""

    __table_args__ = (UniqueConstraint("session_id", "nickname_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"), index=True)
    nickname: Mapped[str] = mapped_column(String(40))
    # The nickname folded (case, width, spaces) so that look-alikes collide.
    nickname_key: Mapped[str] = mapped_column(String(80))
    # The secret kept in the student's browser (in the signed session
    # cookie): a reload or a dropped phone finds the same player with it.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # Seeds the order of the choices on this player's device.
    seed: Mapped[str] = mapped_column(String(32))
    # The first position this player could answer: a late joiner was
    # absent, not wrong, before it.
    first_position: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(8))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether the projector may show the nickname: false while it waits for
    # the teacher's approval (when the session asks for it) or once hidden;
    # the player plays either way and is shown as a number.
    name_shown: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Removed with a ban: this browser (``device``) cannot join the session again.
    banned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A long-lived random id of the browser (a cookie of its own), for bans.
    device: Mapped[str | None] = mapped_column(String(32))

    session: Mapped[ClassSession] = relationship()


class PlayerAnswer(db.Model):
    """A player's answer to one round of one question, graded on the server.

    The unique constraint is the rule "one answer per player per question
    (per round)": whatever the timing, a second insert fails.
    """

    __tablename__ = "class_answer"
    __table_args__ = (
        UniqueConstraint("player_id", "position", "round"),
        # The projector counts and adds up the answers to one question.
        Index("ix_class_answer_session_position", "session_id", "position", "round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id"))
    position: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer, default=1)
    response: Mapped[Any] = mapped_column(JSON)
    fraction: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    confidence: Mapped[int | None] = mapped_column(Integer)
    time_taken_ms: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    player: Mapped[Player] = relationship()


class Remark(db.Model):
    """A typed response the teacher marked again: every answer with the same
    folded text to that question gets ``fraction`` (now and later)."""

    __tablename__ = "class_remark"

    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The response folded (see quizapp.domain.live.response_key).
    response_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fraction: Mapped[float] = mapped_column(Float)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
