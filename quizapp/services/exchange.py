"""Banks out in other tools' formats; questions in from them, as drafts.

Out: a bank's live questions (what learners are offered) written by one of
:data:`quizapp.domain.interop.FORMATS`, each cited passage with who
reported it and a link to it highlighted in the app's source viewer.

In: a file read by its format into draft questions, checked by the same
code as a bank file (:func:`quizapp.domain.banks.read_bank`), its problems
put back at the file's own lines; then, only if there is none, added to a
bank (a new one, or at the end of an existing one) as drafts. A draft has
no citation yet, so it cannot be published until one is added in the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.domain.banks import QuestionSpec, read_bank
from quizapp.domain.export import dump_bank
from quizapp.domain.interop import FORMATS, WRITERS, Format
from quizapp.domain.interop.common import Citation as Cited
from quizapp.domain.interop.common import (
    Exported,
    Incoming,
    OutgoingBank,
    Unsupported,
    question_id,
)
from quizapp.domain.problems import Problem
from quizapp.extensions import db
from quizapp.models import Bank, Citation, Passage, Question, QuestionVersion, Source, User
from quizapp.services.audit import record
from quizapp.services.bank_edits import create_bank
from quizapp.services.banks import PassageCache, add_version, bank_by_slug
from quizapp.services.catalog import configured_catalog, configured_tags


def outgoing_bank(bank: Bank, passage_url: Callable[[Passage], str | None]) -> OutgoingBank:
    """``bank``'s live questions, in bank order, ready for a format's ``write``.

    ``passage_url`` gives the address of a passage in the source viewer (an
    absolute one: the file is read outside the app).
    """
    # One query for the versions with their question and passages (not one per question).
    versions = db.session.scalars(
        select(QuestionVersion)
        .join(Question, Question.live_version_id == QuestionVersion.id)
        .where(Question.bank_id == bank.id)
        .order_by(Question.position)
        .options(
            selectinload(QuestionVersion.question),
            selectinload(QuestionVersion.citations).selectinload(Citation.passage),
        )
    ).all()
    passages: dict[tuple, Passage] = {}
    for version in versions:
        for source, row in zip(version.content.get("sources", ()), version.citations, strict=False):
            passages[_citation_key(source)] = row.passage
    sources = {source.id: source for source in db.session.scalars(select(Source))}

    def cite(entry: dict) -> Cited:
        source = sources.get(entry["doc"])
        passage = passages.get(_citation_key(entry))
        return Cited(
            exact=entry["exact"],
            gloss=(entry.get("gloss") or {}).get("en"),
            outlet=source.outlet if source else {"zh": entry["doc"], "en": entry["doc"]},
            published=source.published if source else "",
            url=passage_url(passage) if passage is not None else None,
        )

    return OutgoingBank(
        slug=bank.slug,
        title=bank.title,
        description=bank.description,
        questions=[(version.question.key, version.content) for version in versions],
        cite=cite,
    )


def _citation_key(entry: dict) -> tuple:
    return (entry["doc"], entry["exact"], entry.get("prefix"), entry.get("suffix"))


def export_bank(
    bank: Bank, format_name: str, passage_url: Callable[[Passage], str | None]
) -> Exported:
    """``bank`` written in the format ``format_name`` (one of ``WRITERS``)."""
    return FORMATS[format_name].write(outgoing_bank(bank, passage_url))


def export_every_way(bank: Bank, passage_url: Callable[[Passage], str | None]) -> dict:
    """``bank`` in every format it can be written in (name → Exported), read once."""
    outgoing = outgoing_bank(bank, passage_url)
    return {name: FORMATS[name].write(outgoing) for name in WRITERS}


# --- in ----------------------------------------------------------------------------


@dataclass
class DraftPlan:
    """What importing a file into a bank will do: the drafts it will add
    (checked), the questions it cannot take, and the problems that stop it."""

    slug: str
    file: str
    format: Format
    bank_exists: bool
    drafts: list[QuestionSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    #: Ids the file gave that the bank already had: file id -> the id used.
    renamed: dict[str, str] = field(default_factory=dict)
    #: Drafts written in one language only (the other holds the same text
    #: until someone translates it).
    one_language: list[str] = field(default_factory=list)
    #: Questions of the file the bank already has (the same type and prompt):
    #: file id -> the bank's question. Not added again.
    already: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def plan_drafts(slug: str, file: str, data: bytes, fmt: Format) -> DraftPlan:
    """Read ``data`` (the file ``file``) in ``fmt`` and check it as drafts for bank ``slug``."""
    bank = bank_by_slug(slug)
    plan = DraftPlan(slug, file, fmt, bank is not None)
    incoming: Incoming = fmt.read(data, file)
    plan.unsupported = list(incoming.unsupported)
    plan.problems = list(incoming.problems)
    if plan.problems:
        return plan
    if not incoming.questions and not incoming.unsupported:
        plan.problems.append(Problem(file, 1, 1, "no questions found in this file"))
        return plan
    # Each question of the bank with its current content, in one query.
    current = (
        []
        if bank is None
        else db.session.execute(
            select(Question.key, QuestionVersion.content)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.bank_id == bank.id)
        ).all()
    )
    taken = {key for key, _content in current}
    # A file brought in twice adds its questions once: one the bank has
    # (the same type and prompt) is named, not added again.
    known = {_sameness(content): key for key, content in current}
    documents, lines = [], []
    for index, question in enumerate(incoming.questions):
        document = dict(question, status="draft")
        if _sameness(document) in known:
            plan.already[str(document.get("id") or "")] = known[_sameness(document)]
            continue
        given = str(document.get("id") or "")
        if not given or given in taken:
            document["id"] = question_id(given or _prompt(document), taken)
            if given:
                plan.renamed[given] = document["id"]
        else:
            taken.add(given)
        documents.append(document)
        lines.append(incoming.lines[index] if index < len(incoming.lines) else 1)
    catalog, _problems = configured_catalog()
    vocabulary, _tag_problems = configured_tags()
    raw = dump_bank(
        {
            "bank": slug,
            "title": {"zh": slug, "en": slug},
            "description": {"zh": slug, "en": slug},
            "questions": documents,
        }
    ).encode("utf-8")
    if not documents:
        return plan  # everything is in the bank already
    spec, problems = read_bank(raw, file, catalog, len(raw) + 1, vocabulary)
    for problem in problems:
        plan.problems.append(_at_files_line(problem, lines, documents, file))
    if spec is None or plan.problems:
        return plan
    plan.drafts = list(spec.questions)
    plan.one_language = [
        draft.key
        for draft in plan.drafts
        if draft.content["prompt"]["zh"] == draft.content["prompt"]["en"]
    ]
    return plan


def _brought_in_from(file: str) -> dict:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return {"zh": f"从 {name} 导入的题目。", "en": f"Questions brought in from {name}."}


def _sameness(content: dict) -> tuple:
    prompt = content.get("prompt") or {}
    return (content.get("type"), prompt.get("zh"), prompt.get("en"))


def _prompt(document: dict) -> str:
    prompt = document.get("prompt") or {}
    return str(prompt.get("en") or prompt.get("zh") or "")


def _at_files_line(problem: Problem, lines: list[int], documents: list[dict], file: str):
    """A problem found in the drafts, put at the imported file's line of its question."""
    path = problem.path
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        index = path[1]
        key = documents[index].get("id", "")
        field_path = ".".join(str(part) for part in path[2:])
        where = f"question '{key}'" + (f", {field_path}" if field_path else "")
        return Problem(file, lines[index], 1, f"{where}: {problem.detail or problem.message}")
    return Problem(file, 1, 1, problem.detail or problem.message)


def add_drafts(
    plan: DraftPlan,
    author: User | None,
    origin: str,
    title: dict | None = None,
    description: dict | None = None,
) -> tuple[Bank, list[QuestionVersion]]:
    """Apply a checked plan: create the bank if it is new (``title`` and
    ``description`` then), and add every draft at its end. The caller commits."""
    if not plan.ok:
        raise ValueError("a plan with problems is not applied")
    bank = bank_by_slug(plan.slug)
    if bank is None:
        bank = create_bank(
            plan.slug,
            title or {"zh": plan.slug, "en": plan.slug},
            description or _brought_in_from(plan.file),
            author,
        )
    catalog, _problems = configured_catalog()
    cache = PassageCache(catalog)
    last = max((q.position for q in bank.questions), default=0)
    added = []
    for offset, draft in enumerate(plan.drafts, start=1):
        question = Question(bank=bank, key=draft.key, position=last + offset)
        db.session.add(question)
        db.session.flush()
        version = add_version(
            question, draft.content, [cache.passage(c) for c in draft.citations], origin, author
        )
        record(author, "question.create", question=question, version=version)
        added.append(version)
    return bank, added
