"""Saving questions from the editor: new versions, restores, merges and edit conflicts.

Every save adds an immutable version (see :mod:`quizapp.models.content`).
Two admins may open the same question; each form carries the version it
was opened on, and a save is written over a version only if that is still
the current one. The check is one conditional UPDATE on the question row,
so between two saves racing on the same version exactly one wins, on
SQLite (writers serialise) and on PostgreSQL (the second UPDATE waits for
the first's row lock, then finds the version moved on and matches nothing).

The save that lost is not refused outright: its edit is merged field by
field with the version that won (:mod:`quizapp.domain.merge`), and the
merge is saved over that version, through the same conditional UPDATE.
Only a field both admins changed differently stops the save, as an
:class:`EditConflict` that carries the merge for the admin to finish.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from quizapp.domain.banks import QuestionSpec
from quizapp.domain.export import content_digest
from quizapp.domain.merge import Merge, field_value, merge_question
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.tags import TagVocabulary
from quizapp.domain.versions import changes
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionVersion, User
from quizapp.services.audit import record
from quizapp.services.banks import PassageCache, add_version

#: How many times a save merges with a newer version and tries again
#: before it gives up (each try loses only to another save that won).
MERGE_TRIES = 5


class EditConflict(Exception):
    """The question was saved by someone else since the form was opened.

    ``merge`` (from a save, not a restore) is the form's edit merged with
    ``theirs``, the version it was merged with: its ``conflicts`` are the
    fields both changed, for the admin to decide.
    """

    def __init__(
        self,
        question: Question,
        base: QuestionVersion | None,
        merge: Merge | None = None,
        theirs: QuestionVersion | None = None,
    ):
        super().__init__(f"question {question.id} is at version {question.current_version.number}")
        self.question = question
        self.base = base
        self.merge = merge
        self.theirs = theirs or question.current_version

    @property
    def current(self) -> QuestionVersion:
        """The version saved meanwhile."""
        return self.question.current_version

    def changes(self):
        """What the other save changed, from the version the form was opened on."""
        return changes(self.base.content if self.base else None, self.theirs.content)


class KeyTaken(Exception):
    """A new question was given the id of a question already in the bank."""


class UnknownVersion(ValueError):
    """A form names as its base a version that is not one of this question's."""


@dataclass
class Saved:
    """The outcome of a save: the version now current, and whether it is new.

    ``merged_with`` is the version saved meanwhile that this save was merged
    with, and ``taken_from_theirs`` the fields that came from it.
    """

    version: QuestionVersion
    created: bool
    merged_with: QuestionVersion | None = None
    taken_from_theirs: tuple[str, ...] = ()


def _claim(question: Question, base_version_id: int | None) -> bool:
    """Lock the question for this save if it is still at ``base_version_id``.

    Returns False, with the transaction rolled back and ``question`` read
    afresh, if another save has moved it on.
    """
    # The bank's row first, as an import takes it (its content revision
    # moves on before its questions change): with one order of locks, a
    # save and an import at once on PostgreSQL wait for each other instead
    # of deadlocking. SQLite serialises writers and ignores FOR UPDATE.
    db.session.execute(select(Bank.id).where(Bank.id == question.bank_id).with_for_update())
    result = db.session.execute(
        update(Question)
        .where(Question.id == question.id, Question.current_version_id == base_version_id)
        .values(current_version_id=Question.current_version_id)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(question)
        return False
    # The row is ours until commit; read its current version afresh.
    db.session.refresh(question)
    return True


def base_version(question: Question, version_id: int) -> QuestionVersion:
    """Version ``version_id``, if it is one of ``question``'s; else :class:`UnknownVersion`."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None or version.question_id != question.id:
        raise UnknownVersion(version_id)
    return version


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


def _claim_or_merge(
    question: Question,
    spec: QuestionSpec,
    base: QuestionVersion,
    catalog: SourceCatalog,
    vocabulary: TagVocabulary | None,
) -> tuple[QuestionSpec, Merge | None, QuestionVersion | None]:
    """Claim the question at ``base``, or merge ``spec`` with what was saved since and
    claim it at that; returns what to save, the merge and the version merged with."""
    claimed_at, mine, merge, theirs = base.id, spec, None, None
    for _try in range(MERGE_TRIES):
        if _claim(question, claimed_at):
            return spec, merge, theirs
        # Always from the form's own base: that is what the admin edited.
        theirs = question.current_version
        merge = merge_question(
            question.key, base.content, mine.content, theirs.content, catalog, vocabulary
        )
        if merge.conflicts or merge.spec is None:
            raise EditConflict(question, base, merge, theirs)
        spec, claimed_at = merge.spec, theirs.id
    # Saves kept landing between this one's merge and its claim: let the
    # admin look at the merged form and save again.
    raise EditConflict(question, base, merge, theirs)


def save_question(
    question: Question,
    spec: QuestionSpec,
    catalog: SourceCatalog,
    author: User,
    base_version_id: int,
    vocabulary: TagVocabulary | None = None,
) -> Saved:
    """Save ``spec`` as the next version of ``question``; ``base_version_id`` is the
    version the form was opened on.

    If someone saved since, the edit is merged with their version and the
    merge, checked as a save is (with ``vocabulary``), saved instead;
    :class:`EditConflict` if both changed a field differently or the merge
    is not a valid question, :class:`UnknownVersion` if the base is not a
    version of this question. Content identical to the current version adds
    no version (and no log entry): there is nothing to undo.
    """
    base = base_version(question, base_version_id)
    spec, merge, theirs = _claim_or_merge(question, spec, base, catalog, vocabulary)
    taken = merge.taken_from_theirs if merge else ()
    current = question.current_version
    if current.digest == content_digest(spec.content):
        return Saved(current, False, theirs, taken)
    cache = PassageCache(catalog)
    version = add_version(
        question, spec.content, [cache.passage(c) for c in spec.citations], "editor", author
    )
    fields = sorted({change.field.name for change in changes(current.content, spec.content)})
    detail = {"from": current.number, "to": version.number, "fields": fields}
    if theirs is not None:
        detail |= {"base": base.number, "merged_with": theirs.number, "taken": list(taken)}
    record(author, "question.edit", question=question, version=version, detail=detail)
    return Saved(version, True, theirs, taken)


def restore_version(
    question: Question, old: QuestionVersion, author: User, base_version_id: int
) -> Saved:
    """Make ``old``'s content current again, as a new version (history is never rewritten)."""
    if not _claim(question, base_version_id):
        try:
            base = base_version(question, base_version_id)
        except UnknownVersion:
            base = None
        raise EditConflict(question, base)
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


def last_changed_in(
    question: Question, after: QuestionVersion, upto: QuestionVersion, fields
) -> dict[str, QuestionVersion]:
    """For each of ``fields``, the latest version after ``after`` and up to ``upto``
    that changed it: who wrote "theirs" of a conflict, and when."""
    versions = db.session.scalars(
        select(QuestionVersion)
        .filter_by(question_id=question.id)
        .where(QuestionVersion.number > after.number, QuestionVersion.number <= upto.number)
        .order_by(QuestionVersion.number)
    )
    found: dict[str, QuestionVersion] = {}
    previous = after.content
    for version in versions:
        for field in fields:
            if field_value(version.content, field) != field_value(previous, field):
                found[field] = version
        previous = version.content
    return found
