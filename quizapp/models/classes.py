"""Classes: a teacher's group of students, known by nicknames, across sessions.

A member is a student of one class: a nickname, a secret token kept in the
student's browser, and a short re-entry code the student can type on
another browser or phone to be the same member there. Nothing else about a
student is stored: no e-mail, no real name.

What a member did is linked, not copied: link tables tie a live session to
its class, a player to its member and an assignment's attempt to its
member. Sessions, players and attempts made without a class have no link
and work as they always did; removing a member removes the links and keeps
the answers (anonymous), deleting a member's data deletes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.models.attempts import Attempt
from quizapp.models.classroom import ClassSession, Player
from quizapp.models.content import utcnow

#: What a class assignment is: self-study on chosen banks, or one phase of the
#: before/after check on the parallel forms.
ASSIGNMENT_KINDS = ("study", "check")
#: The phases of the before/after check: check-in, check-out, delayed re-check.
CHECK_PHASES = ("before", "after", "later")


class SchoolClass(db.Model):
    """A teacher's class."""

    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and unguessable: the teacher's URLs use it.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # The short secret in the class link and QR code that students join by.
    join_token: Mapped[str] = mapped_column(String(16), unique=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The one-time token of the form that created it (a double click creates one class).
    request_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    teacher: Mapped[User] = relationship()
    members: Mapped[list[ClassMember]] = relationship(
        back_populates="school_class", order_by="ClassMember.joined_at"
    )


class ClassMember(db.Model):
    """A student of a class."""

    __tablename__ = "class_member"
    __table_args__ = (
        UniqueConstraint("class_id", "nickname_key"),
        UniqueConstraint("class_id", "code_digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    nickname: Mapped[str] = mapped_column(String(40))
    # The nickname folded (case, width, spaces) so that look-alikes collide.
    nickname_key: Mapped[str] = mapped_column(String(80))
    # The secret kept in the student's signed session cookie.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # A digest of the re-entry code: the code itself is shown once to the
    # student and kept only in their browser's cookie.
    code_digest: Mapped[str] = mapped_column(String(64))
    # The self-study identity (the learner cookie) of the member's browsers,
    # so an assignment started on one can be continued on another.
    learner_key: Mapped[str] = mapped_column(String(64), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="members")


class SessionClass(db.Model):
    """A live session run for a class."""

    __tablename__ = "class_session_class"

    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"), primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)

    session: Mapped[ClassSession] = relationship()


class MemberPlayer(db.Model):
    """The member a session's player is."""

    __tablename__ = "class_member_player"

    player_id: Mapped[int] = mapped_column(ForeignKey("player.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("class_member.id"), index=True)

    player: Mapped[Player] = relationship()


class Assignment(db.Model):
    """Self-study set for a class, or one phase of its before/after check."""

    __tablename__ = "class_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The check's phase (CHECK_PHASES); None for self-study.
    phase: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    # Self-study: {"banks": [...], "length": n | None, "mode": ..., "confidence": bool};
    # a check: {"counterbalanced": bool}.
    settings: Mapped[dict] = mapped_column(JSON)
    request_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    school_class: Mapped[SchoolClass] = relationship()


class MemberAttempt(db.Model):
    """An attempt a member made for an assignment."""

    __tablename__ = "class_member_attempt"
    # One attempt per member per assignment: a double click or a second
    # browser continues the first.
    __table_args__ = (UniqueConstraint("assignment_id", "member_id"),)

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("class_member.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("class_assignment.id"), index=True)
    # The parallel form taken ("A" or "B") in a check; None for self-study.
    form: Mapped[str | None] = mapped_column(String(1))

    attempt: Mapped[Attempt] = relationship()
    assignment: Mapped[Assignment] = relationship()
