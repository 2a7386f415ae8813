"""Is the database in sync with the questions folder, and writing edits back.

``flask quiz status`` and the editor's *Files* page both read
:func:`folder_status`, so they always agree. Writing back is the other
direction of an import: the database's banks are written into their files
in the questions folder, and those files become the banks' new base. It
refuses a bank whose file changed since its base (that change would be
lost): import it first.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.domain.banks import BankSpec, CheckResult
from quizapp.domain.export import dump_bank
from quizapp.domain.sync import BOTH, CONFLICT, DATABASE, FILE, SAME, stored_state
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionVersion, User
from quizapp.services.audit import record
from quizapp.services.banks import bank_fields, export_documents
from quizapp.services.imports import plan_bank

IN_SYNC = "in sync"
CHANGED_IN_DATABASE = "changed in database"
CHANGED_IN_FILES = "changed in files"
CHANGED_IN_BOTH = "changed in both"
IN_CONFLICT = "conflict"
ONLY_IN_DATABASE = "only in database"
ONLY_IN_FILES = "only in files"


@dataclass
class BankStatus:
    """Where one bank stands between its file and the database."""

    slug: str
    state: str
    file: Path | None = None
    #: Question labels by outcome: DATABASE, FILE, BOTH, CONFLICT.
    questions: dict[str, list[str]] = field(default_factory=dict)
    #: The outcome for the bank's own fields (title, description, status).
    fields: str = SAME

    def labels(self, outcome: str) -> list[str]:
        """The questions with ``outcome``."""
        return self.questions.get(outcome, [])

    @property
    def writable(self) -> bool:
        """True if writing back would lose nothing from the file."""
        return self.state in (CHANGED_IN_DATABASE, ONLY_IN_DATABASE)


def _state(outcomes: set[str]) -> str:
    # A change made alike on both sides is no difference: the next import
    # or write-back only moves the base on.
    if CONFLICT in outcomes:
        return IN_CONFLICT
    changed_db = DATABASE in outcomes
    changed_file = FILE in outcomes
    if changed_db and changed_file:
        return CHANGED_IN_BOTH
    if changed_db:
        return CHANGED_IN_DATABASE
    return CHANGED_IN_FILES if changed_file else IN_SYNC


def bank_status(spec: BankSpec) -> BankStatus:
    """How ``spec`` (a bank's file) and the database differ, given the bank's base."""
    plan = plan_bank(spec)
    if plan.bank is None:
        return BankStatus(spec.slug, ONLY_IN_FILES, Path(spec.file))
    status = BankStatus(spec.slug, IN_SYNC, Path(spec.file), fields=plan.fields_outcome)
    for step in plan.steps:
        if step.outcome in (DATABASE, FILE, BOTH, CONFLICT):
            status.questions.setdefault(step.outcome, []).append(step.label)
    status.state = _state(set(status.questions) | {plan.fields_outcome})
    return status


def folder_status(checked: CheckResult) -> list[BankStatus]:
    """Every bank, in the folder's files (``checked``) or in the database, by id."""
    statuses = {spec.slug: bank_status(spec) for spec in checked.banks}
    for slug in db.session.scalars(select(Bank.slug)):
        statuses.setdefault(slug, BankStatus(slug, ONLY_IN_DATABASE))
    return [statuses[slug] for slug in sorted(statuses)]


def unsynced_questions(bank: Bank) -> list[Question]:
    """``bank``'s questions changed in the database since its file was last synced.

    Needs no file: it compares each question with its base. A bank never
    synced counts every question.
    """
    questions = db.session.scalars(
        select(Question)
        .filter_by(bank_id=bank.id)
        .options(selectinload(Question.current_version))
        .order_by(Question.position)
    )
    return [
        q
        for q in questions
        if stored_state(q.current_version.status, q.current_version.digest) != q.synced_digest
    ]


def unsynced_counts() -> dict[int, int]:
    """For each bank id, how many questions differ from the files' last sync."""
    rows = db.session.execute(
        select(
            Question.bank_id, Question.synced_digest, QuestionVersion.status, QuestionVersion.digest
        ).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
    )
    counts: dict[int, int] = {}
    for bank_id, synced, status, digest in rows:
        if stored_state(status, digest) != synced:
            counts[bank_id] = counts.get(bank_id, 0) + 1
    return counts


# --- writing back ------------------------------------------------------------


@dataclass
class WriteBack:
    """One bank's file as writing back would leave it."""

    slug: str
    path: Path
    old_text: str
    new_text: str

    def diff(self) -> list[str]:
        """A unified diff of the file, old to new."""
        return list(
            difflib.unified_diff(
                self.old_text.splitlines(),
                self.new_text.splitlines(),
                f"a/{self.path.name}",
                f"b/{self.path.name}",
                lineterm="",
            )
        )


def folder_writable(folder: Path) -> bool:
    """True if files in ``folder`` can be written (and created)."""
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def plan_write_back(
    folder: Path, statuses: list[BankStatus], slugs: list[str] | None = None
) -> list[WriteBack]:
    """The files writing back would change: banks changed only in the database."""
    chosen = [
        status for status in statuses if status.writable and (not slugs or status.slug in slugs)
    ]
    documents = export_documents([status.slug for status in chosen]) if chosen else {}
    plans = []
    for status in chosen:
        path = status.file or folder / f"{status.slug}.yaml"
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        new = dump_bank(documents[status.slug])
        plans.append(WriteBack(status.slug, path, old, new))
    return plans


def write_digest(plans: list[WriteBack]) -> str:
    """A fingerprint of what writing back would write, for a confirmation form."""
    digest = hashlib.sha256()
    for plan in plans:
        for part in (str(plan.path), plan.old_text, plan.new_text):
            digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def write_back(plans: list[WriteBack], author: User | None = None) -> None:
    """Write each planned file and make it its bank's base; the caller commits.

    Each file is written to a temporary name and renamed over the old one,
    so a reader never sees half a file.
    """
    for plan in plans:
        bank = db.session.scalar(select(Bank).filter_by(slug=plan.slug))
        raw = plan.new_text.encode("utf-8")
        temporary = plan.path.with_name(f".{plan.path.name}.writing")
        temporary.write_bytes(raw)
        os.replace(temporary, plan.path)
        for question in bank.questions:
            version = question.current_version
            question.synced_digest = stored_state(version.status, version.digest)
        bank.synced_fields = bank_fields(bank)
        bank.synced_sha256 = hashlib.sha256(raw).hexdigest()
        bank.synced_revision = bank.content_revision
        record(author, "bank.write_back", bank=bank, detail={"file": plan.path.name})
