"""Banks and question versions over the database: the steps every change takes.

Every change to a bank or its questions goes through here: a new version
(:func:`add_version`), a retirement, new bank fields (:func:`set_fields`).
Each moves the bank's content revision on and remembers what it was at
that revision, so a file's base can be read back (:mod:`quizapp.services.imports`
and :mod:`quizapp.services.sync` build on this). The caller commits.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from quizapp.domain.banks import Citation
from quizapp.domain.export import bank_document, content_digest
from quizapp.domain.search import search_text, tag_text
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.sync import FileBase
from quizapp.extensions import db
from quizapp.models import Bank, BankState, Passage, Question, QuestionVersion, User
from quizapp.models import Citation as CitationRow
from quizapp.models.content import utcnow


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


def bump_revision(bank: Bank) -> int:
    """Move ``bank``'s content revision on by one; return the new revision.

    One UPDATE ... RETURNING: on PostgreSQL the bank's row stays locked
    until commit, so two changes to one bank never share a revision.
    """
    revision = db.session.execute(
        update(Bank)
        .where(Bank.id == bank.id)
        .values(content_revision=Bank.content_revision + 1)
        .returning(Bank.content_revision)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(bank, "content_revision", revision)
    return revision


def record_state(bank: Bank, revision: int) -> None:
    """Remember ``bank``'s own fields as they are from ``revision`` on."""
    db.session.add(BankState(bank_id=bank.id, revision=revision, fields=bank_fields(bank)))


def set_fields(bank: Bank, fields: dict, revision: int) -> None:
    """Give ``bank`` new fields (title, description, status) at ``revision``."""
    for name, value in fields.items():
        setattr(bank, name, value)
    bank.revision += 1
    bank.updated_at = utcnow()
    db.session.flush()
    record_state(bank, revision)


def add_version(
    question: Question,
    content: dict,
    passages: list[Passage],
    origin: str,
    author: User | None = None,
    revision: int | None = None,
) -> QuestionVersion:
    """Append a new immutable version to ``question`` and make it current.

    What learners are offered follows the new version's status: published
    goes live, retired takes the question out, and a draft leaves the
    version that was live (if any) live until the draft is published.
    The version is made at the bank's content revision ``revision`` (an
    import makes all its versions at one); None moves the revision on.
    """
    if revision is None:
        revision = bump_revision(question.bank)
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
        bank_revision=revision,
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


def retire(
    question: Question, author: User | None = None, revision: int | None = None
) -> QuestionVersion:
    """Retire ``question`` with a new version keeping its content and passages."""
    current = question.current_version
    return add_version(
        question,
        {**current.content, "status": "retired"},
        [citation.passage for citation in current.citations],
        "retire",
        author,
        revision,
    )


def bank_by_slug(slug: str) -> Bank | None:
    """The bank with id ``slug``."""
    return db.session.scalar(select(Bank).filter_by(slug=slug))


def bank_fields(bank: Bank) -> dict:
    """The fields of a bank that its file holds (besides its questions)."""
    return {"title": bank.title, "description": bank.description, "status": bank.status}


def export_documents(slugs: list[str] | None = None, with_base: bool = False) -> dict[str, dict]:
    """Every bank (or those in ``slugs``) as bank documents, keyed by slug.

    Retired questions are included with ``status: retired`` so that the
    files keep the whole history of which questions existed. ``with_base``
    writes the revision each came from (``base:``), for files that leave
    the questions folder: uploading one back is then checked against it.
    """
    query = select(Bank).order_by(Bank.slug)
    if slugs:
        query = query.where(Bank.slug.in_(slugs))
    documents = {}
    for bank in db.session.scalars(query):
        questions = [(q.key, q.current_version.content) for q in bank.questions]
        base = FileBase(bank.uid, bank.content_revision) if with_base else None
        documents[bank.slug] = bank_document(
            bank.slug, bank.title, bank.description, questions, bank.status, base
        )
    return documents
