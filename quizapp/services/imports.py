"""Importing bank files: a three-way plan, then all of it or none of it.

A question is matched by ``(bank id, question id)``. What an import does
to it comes from comparing the file, the database and the base (see
:mod:`quizapp.domain.sync`): a change made only in the file is applied
(a new version; a question gone from its file is retired, never deleted),
a change made only in the database stands, and a question changed on both
sides differently is a conflict. With any conflict nothing is imported,
unless the operator chose a side (``prefer``) or, at start-up, the bank
with the conflict is left as it is (``skip_conflicts``). Banks not named
are left alone. The caller commits, so one import is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from quizapp.domain.banks import BankSpec, QuestionSpec
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.sync import (
    BOTH,
    CONFLICT,
    DATABASE,
    FILE,
    SAME,
    question_state,
    reconcile,
    resolve,
    stored_state,
)
from quizapp.domain.versions import Change, bank_lines, changes, compare
from quizapp.extensions import db
from quizapp.models import Bank, BankState, Question, QuestionVersion, User
from quizapp.services.audit import record
from quizapp.services.banks import (
    PassageCache,
    add_version,
    bank_by_slug,
    bank_fields,
    bump_revision,
    record_state,
    retire,
    set_fields,
)
from quizapp.services.catalog import store_sources

#: A base that is not known (a bank whose fields were never synced): it
#: equals nothing, so any difference is a conflict, never applied unseen.
UNKNOWN = object()


@dataclass
class Conflict:
    """A question (or a bank's own fields) changed in the file and in the database."""

    label: str
    #: Field by field, the database's value (``before``) and the file's (``after``).
    changes: list[Change]
    #: The database's side (who saved it, when); None for a bank's own fields.
    version: QuestionVersion | None = None

    def lines(self) -> list[str]:
        """The conflict for people: each field with both values."""
        out = []
        for change in self.changes:
            name = change.field.name
            if change.field.item:
                name += f" {change.field.item}"
            if change.field.language:
                name += f" ({change.field.language})"
            database = "(absent or retired)" if change.before is None else repr(change.before)
            file = "(absent or retired)" if change.after is None else repr(change.after)
            out.append(f"  {name}: database {database} | file {file}")
        return out


@dataclass
class ImportSummary:
    """What an import did, or would do, question by question."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Changed in the database since the base, not in the file: the database stands.
    kept: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    banks_added: list[str] = field(default_factory=list)
    banks_changed: list[str] = field(default_factory=list)
    #: Conflicts settled by ``prefer``.
    settled: list[str] = field(default_factory=list)
    #: Banks left as they are because of a conflict (start-up imports).
    banks_skipped: list[str] = field(default_factory=list)
    sources_changed: int = 0
    #: For each question the import changes: database → file, field by field.
    diffs: dict[str, list[Change]] = field(default_factory=dict)

    def line(self) -> str:
        """A one-line summary for people."""
        text = (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.retired)} retired, {len(self.unchanged)} unchanged, "
            f"{len(self.kept)} kept as edited in the database"
        )
        if self.conflicts:
            text += f", {len(self.conflicts)} in conflict"
        text += (
            f" (banks: {len(self.banks_added)} added, {len(self.banks_changed)} changed"
            + (f", {len(self.banks_skipped)} skipped" if self.banks_skipped else "")
            + f"; sources: {self.sources_changed} stored or updated)"
        )
        return text

    def as_detail(self, slugs: list[str]) -> dict:
        """The summary for the audit log: the banks named and what changed."""
        return {
            "banks": slugs,
            "added": self.added,
            "changed": self.changed,
            "retired": self.retired,
            "unchanged": len(self.unchanged),
            "kept": self.kept,
            "conflicts": [conflict.label for conflict in self.conflicts],
            "banks_added": self.banks_added,
            "banks_changed": self.banks_changed,
            "banks_skipped": self.banks_skipped,
            "settled": self.settled,
        }

    @property
    def changes_anything(self) -> bool:
        """True if the import altered the database."""
        return bool(
            self.added
            or self.changed
            or self.retired
            or self.banks_added
            or self.banks_changed
            or self.sources_changed
        )


class ImportConflict(Exception):
    """Files and database changed the same questions; nothing was imported."""

    def __init__(self, summary: ImportSummary):
        super().__init__(", ".join(conflict.label for conflict in summary.conflicts))
        self.summary = summary


@dataclass
class Step:
    """What happens to one question: an outcome of :func:`quizapp.domain.sync.reconcile`."""

    label: str
    key: str
    outcome: str
    question: Question | None
    item: QuestionSpec | None
    #: A conflict that ``prefer`` settled.
    settled: bool = False


@dataclass
class BankPlan:
    """One bank's three-way comparison, before anything is written."""

    spec: BankSpec
    bank: Bank | None
    fields: dict
    fields_outcome: str
    steps: list[Step]

    @property
    def conflicted(self) -> bool:
        """True if the file and the database changed the same thing differently."""
        return self.fields_outcome == CONFLICT or any(s.outcome == CONFLICT for s in self.steps)


@dataclass
class Base:
    """A bank as its file held it at the base: question states and own fields."""

    states: dict[str, str | None]
    fields: dict | None


def file_fields(spec: BankSpec) -> dict:
    """The bank's own fields as its file gives them."""
    return {"title": spec.title, "description": spec.description, "status": spec.status}


def base_at(bank: Bank, revision: int) -> Base:
    """``bank`` as it was at content revision ``revision``."""
    # Every version up to the revision, oldest first: the last one of each question stands.
    rows = db.session.execute(
        select(Question.key, QuestionVersion.status, QuestionVersion.digest)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(Question.bank_id == bank.id, QuestionVersion.bank_revision <= revision)
        .order_by(Question.key, QuestionVersion.number)
    )
    states = {key: stored_state(status, digest) for key, status, digest in rows}
    fields = db.session.scalar(
        select(BankState.fields)
        .where(BankState.bank_id == bank.id, BankState.revision <= revision)
        .order_by(BankState.revision.desc())
        .limit(1)
    )
    return Base(states, fields)


def base_of(bank: Bank, spec: BankSpec, questions: list[Question]) -> Base:
    """The base to compare ``spec`` with: the one it names, else the last sync."""
    named = spec.base
    if named is not None and named.uid == bank.uid and named.revision <= bank.content_revision:
        return base_at(bank, named.revision)
    return Base({q.key: q.synced_digest for q in questions}, bank.synced_fields)


def _fields_outcome(spec: BankSpec, bank: Bank, base: Base) -> tuple[str, dict]:
    """One outcome for the bank's own fields, and the fields it leaves."""
    wanted, current = file_fields(spec), bank_fields(bank)
    result, outcomes = dict(current), set()
    for name in wanted:
        known = base.fields.get(name, UNKNOWN) if base.fields is not None else UNKNOWN
        outcome = reconcile(wanted[name], known, current[name])
        outcomes.add(outcome)
        if outcome == FILE:
            result[name] = wanted[name]
    for outcome in (CONFLICT, FILE, DATABASE, BOTH):
        if outcome in outcomes:
            return outcome, result
    return SAME, result


def plan_bank(spec: BankSpec, prefer: str | None = None) -> BankPlan:
    """Compare ``spec`` with the database and its base, writing nothing."""
    bank = bank_by_slug(spec.slug)
    if bank is None:
        steps = [
            Step(f"{spec.slug}/{item.key}", item.key, FILE, None, item) for item in spec.questions
        ]
        return BankPlan(spec, None, file_fields(spec), FILE, steps)
    questions = list(
        db.session.scalars(
            select(Question)
            .filter_by(bank_id=bank.id)
            .options(selectinload(Question.current_version))
            .order_by(Question.position)
        )
    )
    base = base_of(bank, spec, questions)
    existing = {q.key: q for q in questions}
    fields_outcome, fields = _fields_outcome(spec, bank, base)
    if fields_outcome == CONFLICT and prefer:
        fields = file_fields(spec) if prefer == "file" else bank_fields(bank)
    steps = []
    for item in spec.questions:
        question = existing.pop(item.key, None)
        steps.append(_step(spec.slug, item.key, question, item, base, prefer))
    for question in existing.values():
        steps.append(_step(spec.slug, question.key, question, None, base, prefer))
    return BankPlan(spec, bank, fields, resolve(fields_outcome, prefer), steps)


def _step(slug, key, question, item, base: Base, prefer) -> Step:
    label = f"{slug}/{key}"
    if question is None:  # nothing in the database to lose
        return Step(label, key, FILE, None, item)
    outcome = reconcile(
        question_state(item.content if item else None),
        base.states.get(key),
        stored_state(question.current_version.status, question.current_version.digest),
    )
    settled = outcome == CONFLICT and prefer is not None
    return Step(label, key, resolve(outcome, prefer), question, item, settled)


def _summarise(plan: BankPlan, summary: ImportSummary, skipped: bool = False) -> None:
    """Add ``plan`` to ``summary``; of a ``skipped`` bank, only its conflicts."""
    slug = plan.spec.slug
    if skipped:
        summary.banks_skipped.append(slug)
    elif plan.bank is None:
        summary.banks_added.append(slug)
    elif plan.fields_outcome == FILE:
        summary.banks_changed.append(slug)
    elif plan.fields_outcome == CONFLICT:
        summary.conflicts.append(
            Conflict(slug, _field_changes(bank_fields(plan.bank), file_fields(plan.spec)))
        )
    for step in plan.steps:
        current = step.question.current_version.content if step.question else None
        wanted = step.item.content if step.item else None
        if step.settled:
            summary.settled.append(step.label)
        if step.outcome == CONFLICT:
            summary.conflicts.append(
                Conflict(
                    step.label,
                    _question_changes(current, wanted),
                    step.question.current_version,
                )
            )
        elif skipped:
            continue
        elif step.outcome == DATABASE:
            summary.kept.append(step.label)
        elif step.outcome != FILE:
            summary.unchanged.append(step.label)
        elif step.question is None:
            summary.added.append(step.label)
            summary.diffs[step.label] = changes(None, wanted)
        elif wanted is None or (
            wanted["status"] == "retired" and current.get("status") != "retired"
        ):
            summary.retired.append(step.label)
        else:
            summary.changed.append(step.label)
            summary.diffs[step.label] = changes(current, wanted)


def _question_changes(current: dict | None, wanted: dict | None) -> list[Change]:
    if current is None or wanted is None:
        # One side dropped or retired it: say which, by its status.
        current = current or {"status": "absent"}
        wanted = wanted or {"status": "absent"}
    return changes(current, wanted)


def _field_changes(current: dict, wanted: dict) -> list[Change]:
    return compare(bank_lines(current), bank_lines(wanted))


def lock_banks(banks: list[BankSpec]) -> None:
    """Take the named banks' rows for this transaction, before reading them.

    An editor save takes its bank's row first too (see
    :func:`quizapp.services.versions._claim`), so a save either commits
    before the import reads the bank, and is compared with, or waits for
    the import and then merges over it: never one written over the other
    from a stale read. A no-op UPDATE is a row lock on PostgreSQL and, on
    SQLite, begins the write transaction (writers take turns) before any
    read.
    """
    db.session.execute(
        update(Bank)
        .where(Bank.slug.in_([spec.slug for spec in banks]))
        .values(content_revision=Bank.content_revision)
        .execution_options(synchronize_session=False)
    )


def plan_import(banks: list[BankSpec], prefer: str | None = None) -> ImportSummary:
    """What importing ``banks`` would add, change, retire, keep and leave, writing nothing."""
    summary = ImportSummary()
    for spec in banks:
        _summarise(plan_bank(spec, prefer), summary)
    return summary


def _apply(plan: BankPlan, cache: PassageCache, origin: str, author: User | None) -> Bank:
    """Write what ``plan`` says; return the bank."""
    bank, revision = plan.bank, None
    if bank is None:
        bank = Bank(slug=plan.spec.slug, **plan.fields, content_revision=1)
        db.session.add(bank)
        db.session.flush()
        record_state(bank, 1)
        revision = 1
    elif plan.fields != bank_fields(bank):
        revision = bump_revision(bank)
        set_fields(bank, plan.fields, revision)
    for step in plan.steps:
        if step.outcome != FILE:
            continue
        revision = revision or bump_revision(bank)
        question = step.question
        if question is None:
            question = Question(bank=bank, key=step.key)
            db.session.add(question)
            db.session.flush()
        if step.item is None:
            retire(question, author, revision)
        else:
            passages = [cache.passage(c) for c in step.item.citations]
            add_version(question, step.item.content, passages, origin, author, revision)
    _order(bank, plan)
    return bank


def _order(bank: Bank, plan: BankPlan) -> None:
    """The file's order; questions only in the database after them, as they were."""
    by_key = {q.key: q for q in bank.questions}
    keys = [item.key for item in plan.spec.questions]
    keys += [q.key for q in sorted(by_key.values(), key=lambda q: q.position) if q.key not in keys]
    for position, key in enumerate(keys):
        by_key[key].position = position


def record_sync(bank: Bank, spec: BankSpec) -> None:
    """Remember ``spec`` (the questions folder's file) as ``bank``'s base from now on."""
    states = {item.key: question_state(item.content) for item in spec.questions}
    for question in bank.questions:
        question.synced_digest = states.get(question.key)
    bank.synced_fields = file_fields(spec)
    bank.synced_sha256 = spec.sha256
    bank.synced_revision = bank.content_revision


def import_banks(
    catalog: SourceCatalog,
    banks: list[BankSpec],
    author: User | None = None,
    origin: str = "import",
    *,
    prefer: str | None = None,
    skip_conflicts: bool = False,
    sync: bool | Callable[[BankSpec], bool] = True,
) -> ImportSummary:
    """Store the sources and merge ``banks`` (already checked) into the database.

    Raises :class:`ImportConflict`, having written nothing, if a question
    changed on both sides and neither ``prefer`` nor ``skip_conflicts``
    says what to do. With ``sync`` (an import of the bank files: the
    command line's) each file becomes its bank's new base; an upload in
    the browser (``sync=False``) is an edit of the database, as an editor
    save is, and the base stays. ``sync`` may also say it bank by bank
    (a file from outside the bank folder is an upload, not the files). ``author`` is who uploaded
    the files (None: the command line); an import that changes anything
    is written to the audit log.
    """
    lock_banks(banks)
    plans = [plan_bank(spec, prefer) for spec in banks]
    summary = ImportSummary()
    for plan in plans:
        _summarise(plan, summary, skipped=skip_conflicts and plan.conflicted)
    if summary.conflicts and not skip_conflicts:
        raise ImportConflict(summary)
    summary.sources_changed = store_sources(catalog)
    db.session.flush()
    cache = PassageCache(catalog)
    for plan in plans:
        if plan.conflicted:
            continue
        bank = _apply(plan, cache, origin, author)
        if sync(plan.spec) if callable(sync) else sync:
            db.session.flush()
            db.session.refresh(bank)
            record_sync(bank, plan.spec)
    if summary.changes_anything or summary.banks_skipped or summary.settled:
        detail = summary.as_detail([spec.slug for spec in banks])
        if prefer:
            detail["prefer"] = prefer
        record(author, "banks.import", detail=detail)
    return summary
