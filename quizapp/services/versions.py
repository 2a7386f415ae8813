"""Saving questions from the editor: new versions, restores and edit conflicts.

Every save adds an immutable version (see :mod:`quizapp.models.content`).
Two admins may open the same question; each form carries the version it
was opened on, and a save goes through only if that is still the current
version. The check is one conditional UPDATE on the question row, so
between two saves racing on the same version exactly one wins, on SQLite
(writers serialise) and on PostgreSQL (the second UPDATE waits for the
first's row lock, then finds the version moved on and matches nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from quizapp.domain.banks import QuestionSpec
from quizapp.domain.export import content_digest
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.versions import changes
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionVersion, User
from quizapp.services.audit import record
from quizapp.services.banks import PassageCache, add_version


class EditConflict(Exception):
    """The question was saved by someone else since the form was opened."""

    def __init__(self, question: Question, base: QuestionVersion | None):
        super().__init__(f"question {question.id} is at version {question.current_version.number}")
        self.question = question
        self.base = base

    @property
    def current(self) -> QuestionVersion:
        """The version saved meanwhile."""
        return self.question.current_version

    def changes(self):
        """What the other save changed, from the version the form was opened on."""
        return changes(self.base.content if self.base else None, self.current.content)


class KeyTaken(Exception):
    """A new question was given the id of a question already in the bank."""


@dataclass
class Saved:
    """The outcome of a save: the version now current, and whether it is new."""

    version: QuestionVersion
    created: bool


def _claim(question: Question, base_version_id: int | None) -> None:
    """Lock the question for this save if it is still at ``base_version_id``, else conflict."""
    result = db.session.execute(
        update(Question)
        .where(Question.id == question.id, Question.current_version_id == base_version_id)
        .values(current_version_id=Question.current_version_id)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    if result.rowcount != 1:
        db.session.rollback()
        fresh = db.session.get(Question, question.id)
        db.session.refresh(fresh)
        base = db.session.get(QuestionVersion, base_version_id) if base_version_id else None
        raise EditConflict(fresh, base)
    # The row is ours until commit; read its current version afresh.
    db.session.refresh(question)


def question_by_key(bank: Bank, key: str) -> Question | None:
    """The question ``key`` of ``bank``."""
    return db.session.scalar(select(Question).filter_by(bank_id=bank.id, key=key))


def create_question(
    bank: Bank, spec: QuestionSpec, catalog: SourceCatalog, author: User
) -> QuestionVersion:
    """Add a new question (its version 1) at the end of ``bank``."""
    if question_by_key(bank, spec.key) is not None:
        raise KeyTaken(spec.key)
    last = db.session.scalar(select(func.max(Question.position)).filter_by(bank_id=bank.id))
    question = Question(bank=bank, key=spec.key, position=(last or 0) + 1)
    db.session.add(question)
    db.session.flush()
    cache = PassageCache(catalog)
    version = add_version(
        question, spec.content, [cache.passage(c) for c in spec.citations], "editor", author
    )
    record(author, "question.create", question=question, version=version)
    return version


def save_question(
    question: Question,
    spec: QuestionSpec,
    catalog: SourceCatalog,
    author: User,
    base_version_id: int,
) -> Saved:
    """Save ``spec`` as the next version of ``question``, if nobody saved since ``base``.

    Raises :class:`EditConflict` otherwise. Content identical to the current
    version adds no version (and no log entry): there is nothing to undo.
    """
    _claim(question, base_version_id)
    current = question.current_version
    if current.digest == content_digest(spec.content):
        return Saved(current, created=False)
    cache = PassageCache(catalog)
    version = add_version(
        question, spec.content, [cache.passage(c) for c in spec.citations], "editor", author
    )
    fields = sorted({change.field.name for change in changes(current.content, spec.content)})
    detail = {"from": current.number, "to": version.number, "fields": fields}
    record(author, "question.edit", question=question, version=version, detail=detail)
    return Saved(version, created=True)


def restore_version(
    question: Question, old: QuestionVersion, author: User, base_version_id: int
) -> Saved:
    """Make ``old``'s content current again, as a new version (history is never rewritten)."""
    _claim(question, base_version_id)
    current = question.current_version
    if current.digest == old.digest:
        return Saved(current, created=False)
    passages = [citation.passage for citation in old.citations]
    version = add_version(question, dict(old.content), passages, "restore", author)
    detail = {"from": current.number, "to": version.number, "restored": old.number}
    record(author, "question.restore", question=question, version=version, detail=detail)
    return Saved(version, created=True)


def version_of(question: Question, number: int) -> QuestionVersion | None:
    """Version ``number`` of ``question``."""
    return db.session.scalar(
        select(QuestionVersion).filter_by(question_id=question.id, number=number)
    )
