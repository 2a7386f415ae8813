"""The audit log: who changed which bank or question, when, and how.

Rows are only ever added. Question versions already record their author;
the log adds what versions cannot: bank changes, uploads, restores and
who did each, in one list an admin can read from newest to oldest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.accounts import User
from quizapp.models.content import Bank, Question, QuestionVersion, utcnow


class AuditEntry(db.Model):
    """One change, by one person (or the command line), at one time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # None for the command line (`flask quiz import`).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # "question.create", "question.edit", "question.restore", "bank.create",
    # "bank.edit", "bank.retire", "bank.reactivate", "banks.import".
    action: Mapped[str] = mapped_column(String(32))
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("bank.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("question_version.id"))
    # What changed, for reading: e.g. {"before": {...}, "after": {...}} for a
    # bank, {"from": 3, "to": 5} for a restore, the summary of an upload.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
    bank: Mapped[Bank | None] = relationship()
    question: Mapped[Question | None] = relationship()
    version: Mapped[QuestionVersion | None] = relationship()
