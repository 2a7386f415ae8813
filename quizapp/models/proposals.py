"""Teachers' proposals: a new question or an edit, waiting for an admin.

A teacher cannot change a bank; they write a proposal instead. It holds the
content as the editor's form checked it, the version it was written
against (so the admin's review shows what it changes, and a publish merges
with anything saved since), and what became of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.models.content import Bank, Question, QuestionVersion, utcnow

#: "draft" (the teacher's own, still being written), "proposed" (waiting for
#: an admin), "published" (an admin made it a version), "declined".
PROPOSAL_STATUSES = ("draft", "proposed", "published", "declined")


class Proposal(db.Model):
    """A teacher's proposed new question (``question`` None) or edit of one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    # None: a new question, to be created under ``key``.
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    # The version the teacher started from (None for a new question).
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("question_version.id"))
    content: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who published or declined it, when, why, and the version it became.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    version_id: Mapped[int | None] = mapped_column(ForeignKey("question_version.id"))

    bank: Mapped[Bank] = relationship()
    question: Mapped[Question | None] = relationship()
    base_version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[base_version_id])
    version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[version_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
