"""Importing banks into the database and exporting them back out.

Imports merge by stable ids, never drop and recreate: a question is matched
by ``(bank id, question id)``; changed content adds a version; a question
missing from its file is retired by a new version, never deleted; banks not
named in the import are left alone. The caller commits, so one import is
one transaction: all of it or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.domain.banks import BankSpec, Citation
from quizapp.domain.export import bank_document, content_digest
from quizapp.domain.search import search_text, tag_text
from quizapp.domain.sources import SourceCatalog
from quizapp.extensions import db
from quizapp.models import Bank, Passage, Question, QuestionVersion, User
from quizapp.models import Citation as CitationRow
from quizapp.models.content import utcnow
from quizapp.services.audit import record
from quizapp.services.catalog import store_sources


@dataclass
class ImportSummary:
    """What an import did, question by question."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    banks_added: list[str] = field(default_factory=list)
    banks_changed: list[str] = field(default_factory=list)
    sources_changed: int = 0

    def line(self) -> str:
        """A one-line summary for people."""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.retired)} retired, {len(self.unchanged)} unchanged "
            f"(banks: {len(self.banks_added)} added, {len(self.banks_changed)} changed; "
            f"sources: {self.sources_changed} stored or updated)"
        )

    def as_detail(self, slugs: list[str]) -> dict:
        """The summary for the audit log: the banks named and what changed."""
        return {
            "banks": slugs,
            "added": self.added,
            "changed": self.changed,
            "retired": self.retired,
            "unchanged": len(self.unchanged),
            "banks_added": self.banks_added,
            "banks_changed": self.banks_changed,
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


class PassageCache:
    """Finds or creates the passage row for each anchored citation, once."""

    def __init__(self, catalog: SourceCatalog):
        self.texts = {doc_id: doc.text for doc_id, doc in catalog.docs.items()}
        # All passages at once: there are a few hundred, and an import touches most.
        self.rows: dict[tuple[str, int, int], Passage] = {
            (row.source_id, row.start, row.end): row for row in db.session.scalars(select(Passage))
        }

    def passage(self, citation: Citation) -> Passage:
        """The passage row for ``citation``, created if new."""
        start, end = citation.anchor.start, citation.anchor.end
        key = (citation.doc, start, end)
        if key not in self.rows:
            row = Passage(
                source_id=citation.doc,
                start=start,
                end=end,
                exact=self.texts[citation.doc][start:end],
            )
            db.session.add(row)
            self.rows[key] = row
        return self.rows[key]


def add_version(
    question: Question,
    content: dict,
    passages: list[Passage],
    origin: str,
    author: User | None = None,
) -> QuestionVersion:
    """Append a new immutable version to ``question`` and make it current.

    What learners are offered follows the new version's status: published
    goes live, retired takes the question out, and a draft leaves the
    version that was live (if any) live until the draft is published.
    """
    current = question.current_version
    number = current.number + 1 if current is not None else 1
    version = QuestionVersion(
        question=question,
        number=number,
        type=content["type"],
        status=content["status"],
        difficulty=content["difficulty"],
        content=content,
        digest=content_digest(content),
        origin=origin,
        author=author,
        search_text=search_text(content),
        tag_text=tag_text(content.get("tags")),
        citations=[CitationRow(position=i, passage=p) for i, p in enumerate(passages)],
    )
    db.session.add(version)
    db.session.flush()
    question.current_version = version
    if version.status == "published":
        question.live_version = version
    elif version.status == "retired":
        question.live_version = None
    return version


def retire(question: Question, author: User | None = None) -> QuestionVersion:
    """Retire ``question`` with a new version keeping its content and passages."""
    current = question.current_version
    return add_version(
        question,
        {**current.content, "status": "retired"},
        [citation.passage for citation in current.citations],
        "retire",
        author,
    )


def _sync_bank(
    spec: BankSpec,
    summary: ImportSummary,
    cache: PassageCache | None,
    origin: str,
    author: User | None,
) -> None:
    """Merge one bank, or with ``cache=None`` only say what merging would do.

    The preview of an upload and the import itself are this one function,
    so the summary confirmed is the summary applied.
    """
    write = cache is not None
    bank = bank_by_slug(spec.slug)
    fields = {"title": spec.title, "description": spec.description, "status": spec.status}
    if bank is None:
        summary.banks_added.append(spec.slug)
        if not write:
            summary.added.extend(f"{spec.slug}/{item.key}" for item in spec.questions)
            return
        bank = Bank(slug=spec.slug, **fields)
        db.session.add(bank)
        db.session.flush()
    elif bank_fields(bank) != fields:
        summary.banks_changed.append(spec.slug)
        if write:
            for name, value in fields.items():
                setattr(bank, name, value)
            bank.revision += 1
            bank.updated_at = utcnow()
    existing = {
        q.key: q
        for q in db.session.scalars(
            select(Question)
            .filter_by(bank_id=bank.id)
            .options(selectinload(Question.current_version))
        )
    }
    for position, item in enumerate(spec.questions):
        label = f"{spec.slug}/{item.key}"
        question = existing.pop(item.key, None)
        if question is not None and question.current_version.digest == content_digest(item.content):
            summary.unchanged.append(label)
            if write:
                question.position = position
            continue
        (summary.added if question is None else summary.changed).append(label)
        if not write:
            continue
        if question is None:
            question = Question(bank=bank, key=item.key, position=position)
            db.session.add(question)
            db.session.flush()
        question.position = position
        passages = [cache.passage(c) for c in item.citations]
        add_version(question, item.content, passages, origin, author)
    for question in existing.values():
        label = f"{spec.slug}/{question.key}"
        if question.current_version.status == "retired":
            summary.unchanged.append(label)
            continue
        summary.retired.append(label)
        if write:
            retire(question, author)


def bank_by_slug(slug: str) -> Bank | None:
    """The bank with id ``slug``."""
    return db.session.scalar(select(Bank).filter_by(slug=slug))


def bank_fields(bank: Bank) -> dict:
    """The fields of a bank that its file holds (besides its questions)."""
    return {"title": bank.title, "description": bank.description, "status": bank.status}


def plan_import(banks: list[BankSpec]) -> ImportSummary:
    """What importing ``banks`` would add, change, retire and leave, writing nothing."""
    summary = ImportSummary()
    for spec in banks:
        _sync_bank(spec, summary, None, "import", None)
    return summary


def import_banks(
    catalog: SourceCatalog,
    banks: list[BankSpec],
    author: User | None = None,
    origin: str = "import",
) -> ImportSummary:
    """Store the sources and merge ``banks`` (already checked) into the database.

    ``author`` is who uploaded the files (None: the command line); an
    import that changes anything is written to the audit log.
    """
    summary = ImportSummary(sources_changed=store_sources(catalog))
    db.session.flush()
    cache = PassageCache(catalog)
    for spec in banks:
        _sync_bank(spec, summary, cache, origin, author)
    if summary.changes_anything:
        record(author, "banks.import", detail=summary.as_detail([spec.slug for spec in banks]))
    return summary


def export_documents(slugs: list[str] | None = None) -> dict[str, dict]:
    """Every bank (or those in ``slugs``) as bank documents, keyed by slug.

    Retired questions are included with ``status: retired`` so that the
    files keep the whole history of which questions existed.
    """
    query = select(Bank).order_by(Bank.slug)
    if slugs:
        query = query.where(Bank.slug.in_(slugs))
    documents = {}
    for bank in db.session.scalars(query):
        questions = [(q.key, q.current_version.content) for q in bank.questions]
        documents[bank.slug] = bank_document(
            bank.slug, bank.title, bank.description, questions, bank.status
        )
    return documents
