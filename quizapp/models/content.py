"""Sources, passages, banks, questions and their immutable versions.

As in Moodle 4, a question is an entry whose content lives in versions:
every change (an edit, an import of changed text, retiring) adds a version
and never alters an old one, so anything that records an answer points at
the exact version the learner saw. ``Question.current_version`` is the
latest, what editors see and exports write. ``Question.live_version`` is
what learners are offered: the latest published version, kept while a
newer draft is worked on, and cleared when the question is retired.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db

if TYPE_CHECKING:
    from quizapp.models.accounts import User


def new_uid() -> str:
    """A random id for a bank, unique across databases in practice."""
    return secrets.token_hex(8)


def utcnow() -> datetime:
    """The current time in UTC (the database stores UTC)."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC time: SQLite hands stored times back naive."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class Source(db.Model):
    """A source article, stored on import from ``seeds/``."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    outlet: Mapped[dict] = mapped_column(JSON)
    title: Mapped[dict] = mapped_column(JSON)
    authors: Mapped[list] = mapped_column(JSON)
    published: Mapped[str] = mapped_column(String(10))
    date_note: Mapped[dict | None] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(16))
    copy_note: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    # Display rules (see quizapp.domain.sources.DisplayRules).
    article_start: Mapped[int] = mapped_column(Integer)
    article_end: Mapped[int] = mapped_column(Integer)
    noise_pattern: Mapped[str | None] = mapped_column(String(500))
    join_broken_lines: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    passages: Mapped[list[Passage]] = relationship(back_populates="source")


class Passage(db.Model):
    """A quoted range of a source: ``text[start:end]`` (a TextPositionSelector)."""

    __table_args__ = (UniqueConstraint("source_id", "start", "end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    # The quoted text itself, so a passage stays readable whatever happens.
    exact: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="passages")


class Bank(db.Model):
    """A question bank, identified across imports by its ``slug``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON)
    # "active" or "retired": a retired bank is offered to no new attempt or
    # session; its questions and their answers stay.
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    # Bumped by every change to the bank's own fields, so that two admins
    # editing its title at once cannot overwrite each other unseen.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # --- sync with the bank files (see quizapp.services.sync) ---
    # Names this bank across databases: a file's `base:` counts only in the
    # database it came from (another database's revision 12 is other text).
    # (The server default only lets a migration add the column; rows get one.)
    uid: Mapped[str] = mapped_column(String(32), default=new_uid, server_default="")
    # Bumped once by every change to the bank or any of its questions (an
    # edit, an import, a retirement). Each question version records the
    # value it was made at, so the bank as it was at any revision can be
    # read back: that is the base of a file downloaded then.
    content_revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The last sync with the questions folder (an import from it, or a
    # write-back to it): the content revision then, the file's SHA-256, and
    # the bank's own fields as the file held them. None: never synced.
    synced_revision: Mapped[int | None] = mapped_column(Integer)
    synced_sha256: Mapped[str | None] = mapped_column(String(64))
    synced_fields: Mapped[dict | None] = mapped_column(JSON)

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class BankState(db.Model):
    """A bank's own fields (title, description, status) from a content revision on.

    Questions keep their history in versions; this is the same for the
    bank's few fields, so that a file's base can be read back whole.
    """

    __table_args__ = (UniqueConstraint("bank_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Question(db.Model):
    """A question entry: stable identity ``(bank, key)``, content in versions."""

    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Questions and versions point at each other; the cycle is broken by
    # adding this constraint after both tables exist.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True)
    )
    live_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_version.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The question's content digest as the bank's file held it at the last
    # sync with the questions folder; None: the file did not hold it.
    synced_digest: Mapped[str | None] = mapped_column(String(64))

    bank: Mapped[Bank] = relationship(back_populates="questions")
    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    live_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[live_version_id], post_update=True
    )
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question",
        foreign_keys="QuestionVersion.question_id",
        order_by="QuestionVersion.number",
    )


class QuestionVersion(db.Model):
    """One immutable state of a question. Never updated, never deleted."""

    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # type, status and difficulty are copied out of `content` so that
    # listings can filter on them in SQL.
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    # Where the version came from: "import", "upload", "editor", "restore", "retire".
    origin: Mapped[str] = mapped_column(String(16))
    # Who saved it; None for the command line (`flask quiz import`).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Lower-cased text of both languages, for the editor's search (JSON
    # columns store Chinese escaped, so LIKE cannot search them).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The tags as " a b c ", so that a tag filter is LIKE '% a %'.
    tag_text: Mapped[str] = mapped_column(String(1400), default="", server_default="")
    # The bank's content revision this version was made at.
    bank_revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])
    citations: Mapped[list[Citation]] = relationship(order_by="Citation.position")
    author: Mapped[User | None] = relationship()


class Citation(db.Model):
    """A version's reference to a passage, in the order the bank lists them."""

    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passage.id"), index=True)

    passage: Mapped[Passage] = relationship()
