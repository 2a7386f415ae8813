"""What the editor lists: banks with their counts, questions found by search and filters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager

from quizapp.domain.search import search_pattern
from quizapp.domain.versions import Change, changes
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionVersion


@dataclass
class QuestionFilter:
    """The editor's search box and filters; empty means "any"."""

    text: str = ""
    bank: str = ""
    type: str = ""
    tag: str = ""
    difficulty: int | None = None
    status: str = ""


def question_query(chosen: QuestionFilter) -> Select:
    """Questions matching ``chosen``, with their current version and bank, in bank order."""
    query = (
        select(Question)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .join(Bank, Bank.id == Question.bank_id)
        .options(contains_eager(Question.current_version), contains_eager(Question.bank))
        .order_by(Bank.slug, Question.position, Question.id)
    )
    if chosen.text.strip():
        pattern = search_pattern(chosen.text)
        query = query.where(
            or_(
                QuestionVersion.search_text.like(pattern, escape="\\"),
                Question.key.like(pattern, escape="\\"),
            )
        )
    if chosen.bank:
        query = query.where(Bank.slug == chosen.bank)
    if chosen.type:
        query = query.where(QuestionVersion.type == chosen.type)
    if chosen.tag:
        query = query.where(QuestionVersion.tag_text.contains(f" {chosen.tag} ", autoescape=True))
    if chosen.difficulty:
        query = query.where(QuestionVersion.difficulty == chosen.difficulty)
    if chosen.status:
        query = query.where(QuestionVersion.status == chosen.status)
    return query


def tags_in_use() -> list[str]:
    """Every tag on a current version, sorted."""
    rows = db.session.scalars(
        select(QuestionVersion.tag_text)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .distinct()
    )
    return sorted({tag for row in rows for tag in row.split()})


@dataclass
class BankCounts:
    """A bank and how many of its questions are in each state."""

    bank: Bank
    published: int
    draft: int
    retired: int
    live: int


def bank_counts(bank_id: int | None = None) -> list[BankCounts]:
    """Every bank (or the one ``bank_id``) with its questions counted by status, in one query."""

    def count(status: str):
        return func.coalesce(func.sum(case((QuestionVersion.status == status, 1), else_=0)), 0)

    counts = (
        select(
            Question.bank_id,
            count("published").label("published"),
            count("draft").label("draft"),
            count("retired").label("retired"),
            func.count(Question.live_version_id).label("live"),
        )
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .group_by(Question.bank_id)
        .subquery()
    )
    query = (
        select(Bank, counts.c.published, counts.c.draft, counts.c.retired, counts.c.live)
        .outerjoin(counts, counts.c.bank_id == Bank.id)
        .order_by(Bank.status, Bank.slug)
    )
    if bank_id is not None:
        query = query.where(Bank.id == bank_id)
    rows = db.session.execute(query)
    return [BankCounts(bank, *(int(n or 0) for n in numbers)) for bank, *numbers in rows]


@dataclass
class HistoryEntry:
    """A version in a question's history and what it changed from the one before."""

    version: QuestionVersion
    changes: list[Change]


def history(question: Question) -> list[HistoryEntry]:
    """Every version of ``question``, newest first, each with its changes."""
    versions = list(
        db.session.scalars(
            select(QuestionVersion)
            .filter_by(question_id=question.id)
            .order_by(QuestionVersion.number)
        )
    )
    entries, previous = [], None
    for version in versions:
        entries.append(HistoryEntry(version, changes(previous, version.content)))
        previous = version.content
    return entries[::-1]
