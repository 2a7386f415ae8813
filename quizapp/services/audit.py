"""Writing and reading the audit log of changes to banks and questions."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Question, QuestionVersion, User


def record(
    actor: User | None,
    action: str,
    *,
    bank: Bank | None = None,
    question: Question | None = None,
    version: QuestionVersion | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Add an entry to the log, in the caller's transaction: it commits with the change."""
    if question is not None and bank is None:
        bank = question.bank
    entry = AuditEntry(
        actor=actor,
        action=action,
        bank=bank,
        question=question,
        version=version,
        detail=detail or {},
    )
    db.session.add(entry)
    return entry


def audit_query(bank_id: int | None = None, question_id: int | None = None) -> Select:
    """The log, newest first, optionally for one bank or one question (to paginate)."""
    query = (
        select(AuditEntry)
        .options(
            selectinload(AuditEntry.actor),
            selectinload(AuditEntry.bank),
            selectinload(AuditEntry.question),
            selectinload(AuditEntry.version),
        )
        .order_by(AuditEntry.id.desc())
    )
    if bank_id is not None:
        query = query.where(AuditEntry.bank_id == bank_id)
    if question_id is not None:
        query = query.where(AuditEntry.question_id == question_id)
    return query
