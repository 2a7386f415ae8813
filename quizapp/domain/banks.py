"""The question bank format: reading, validating and normalising bank files.

:func:`check_files` is what ``flask quiz check`` runs, what ``flask quiz
import`` runs before touching the database, and what the web editor will
run: one definition of a valid bank. A valid bank comes back as a
:class:`BankSpec` whose questions are in canonical form (defaults filled in,
text stripped, answers normalised), which is what gets stored, versioned
and exported. The format is documented in ``questions/README.md``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.domain.anchoring import Anchor, AnchorError, SearchBudget, Selector
from quizapp.domain.fields import FieldReader
from quizapp.domain.problems import Problem
from quizapp.domain.question_types import REGISTRY
from quizapp.domain.quotes import too_short
from quizapp.domain.sources import SourceCatalog, read_selector
from quizapp.domain.sync import FileBase
from quizapp.domain.tags import TagVocabulary, check_tags
from quizapp.domain.text import has_chinese
from quizapp.domain.yamlfile import DEFAULT_MAX_BYTES, Located, load_yaml

STATUSES = ("published", "draft", "retired")
BANK_FIELDS = ("bank", "title", "description", "questions")
# `base` names the bank revision an exported file came from (see domain.sync).
BANK_OPTIONAL = ("status", "base")
BANK_STATUSES = ("active", "retired")
# A draft may still lack its explanation and its citation: questions brought
# in from another tool come without them, and are kept as drafts until both
# are written (see read_question); publishing needs them.
QUESTION_REQUIRED = ("id", "type", "difficulty", "prompt", "answer")
QUESTION_OPTIONAL = (
    "explanation",
    "status",
    "objective",
    "form",
    "time_limit",
    "tags",
    "choices",
    "wrong_feedback",
    "source",
    "sources",
)
#: The two parallel forms of the before/after check (see domain.forms).
FORMS = ("A", "B")
#: The longest English gloss of a cited passage.
MAX_GLOSS = 2000
MAX_QUESTIONS = 1000
MAX_SOURCES = 5
#: A question's own time in a live session, in seconds (see ``time_limit``).
TIME_LIMIT_RANGE = (5, 600)


@dataclass(frozen=True)
class Citation:
    """A question's reference to a passage: the selector and where it anchors."""

    doc: str
    selector: Selector
    anchor: Anchor
    #: The project's translation of the passage: ``{"en": ...}``, or None.
    gloss: dict | None = None


@dataclass
class QuestionSpec:
    """A valid question: its stable id, canonical content and citations."""

    key: str
    content: dict
    citations: list[Citation]


@dataclass
class BankSpec:
    """A valid bank read from ``file``."""

    slug: str
    title: dict
    description: dict
    questions: list[QuestionSpec]
    file: str
    line: int = 1
    status: str = "active"
    base: FileBase | None = None
    #: SHA-256 of the file's bytes, remembered as the sync base's fingerprint.
    sha256: str = ""


@dataclass
class CheckResult:
    """What checking a set of bank files found."""

    files: list[Path] = field(default_factory=list)
    banks: list[BankSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file has any problem."""
        return not self.problems

    @property
    def question_count(self) -> int:
        """How many questions the valid banks hold."""
        return sum(len(bank.questions) for bank in self.banks)


def _citations(
    reader: FieldReader,
    path,
    question: dict,
    catalog: SourceCatalog,
    budget: SearchBudget,
    draft: bool = False,
):
    if "source" in question and "sources" in question:
        reader.fail(path, "give either 'source' or 'sources', not both")
        return None
    if question.get("sources") == []:  # as the editor sends a question citing nothing
        if draft:
            return []  # a draft may cite nothing yet
        reader.fail(
            (*path, "sources"),
            "cite at least one passage that supports the answer (only a draft may be without one)",
        )
        return None
    if "source" in question:
        entries, paths = [question["source"]], [(*path, "source")]
    elif "sources" in question:
        entries = reader.sequence(
            (*path, "sources"), question["sources"], min_items=1, max_items=MAX_SOURCES
        )
        if entries is None:
            return None
        paths = [(*path, "sources", i) for i in range(len(entries))]
    elif draft:
        return []
    else:
        reader.fail(
            path,
            "missing field 'source' (the passage that supports the answer; "
            "only a draft may be without one)",
        )
        return None
    citations = []
    for entry_path, entry in zip(paths, entries, strict=True):
        if not isinstance(entry, dict):
            reader.fail(entry_path, "expected a mapping with doc and exact")
            continue
        doc_id = entry.get("doc")
        if "doc" not in entry:
            reader.fail(entry_path, "missing field 'doc'")
        gloss = _gloss(reader, (*entry_path, "gloss"), entry["gloss"]) if "gloss" in entry else None
        selector = read_selector(
            reader, entry_path, {k: v for k, v in entry.items() if k not in ("doc", "gloss")}
        )
        if doc_id is None or selector is None:
            continue
        doc = catalog.get(doc_id) if isinstance(doc_id, str) else None
        if doc is None:
            known = ", ".join(sorted(catalog.docs)) or "none loaded"
            reader.fail((*entry_path, "doc"), f"unknown source '{doc_id}' (known: {known})")
            continue
        try:
            anchor = doc.locate(selector, budget)
        except AnchorError as error:
            reader.fail((*entry_path, "exact"), f"in {doc.id}: {error}")
            continue
        short = too_short(doc.text, selector.exact, anchor.start, anchor.end)
        if short is not None:
            reader.fail((*entry_path, "exact"), short)
            continue
        if "gloss" in entry and gloss is None:
            continue
        citations.append(Citation(doc.id, selector, anchor, gloss))
    return citations if len(citations) == len(entries) else None


def _gloss(reader: FieldReader, path, value) -> dict | None:
    """A passage's English gloss: ``{en: ...}``, the project's translation of the quote."""
    if reader.mapping(path, value, ("en",), ()) is None or "en" not in value:
        return None
    text = reader.string((*path, "en"), value.get("en"), max_length=MAX_GLOSS)
    return {"en": text} if text is not None else None


def _objective(reader: FieldReader, path, value, vocabulary: TagVocabulary | None):
    """A question's learning objective: declared in ``_objectives.yaml`` when that exists."""
    objective = reader.identifier(path, value)
    if objective is None:
        return None
    if vocabulary is not None and objective not in vocabulary.objectives:
        reader.fail(path, vocabulary.unknown_objective(objective))
        return None
    return objective


def _choices(reader: FieldReader, path, question: dict, qtype) -> list[dict] | None:
    if not qtype.uses_choices:
        if "choices" in question:
            reader.fail((*path, "choices"), f"{qtype.name} questions have no choices")
        return []
    if "choices" not in question:
        reader.fail(path, f"missing field 'choices' ({qtype.name} questions need them)")
        return None
    items = reader.sequence(
        (*path, "choices"),
        question["choices"],
        min_items=qtype.min_choices,
        max_items=qtype.max_choices,
    )
    if items is None:
        return None
    choices, seen = [], {}
    for i, item in enumerate(items):
        item_path = (*path, "choices", i)
        if reader.mapping(item_path, item, ("id", "text"), ("feedback",)) is None:
            continue
        choice_id = reader.identifier((*item_path, "id"), item.get("id"))
        if choice_id in seen:
            reader.fail(
                (*item_path, "id"),
                f"duplicate choice id '{choice_id}' (first is choice {seen[choice_id] + 1})",
            )
            choice_id = None
        elif choice_id is not None:
            seen[choice_id] = i
        choice = {"id": choice_id, "text": reader.bilingual((*item_path, "text"), item.get("text"))}
        if "feedback" in item:
            choice["feedback"] = reader.bilingual((*item_path, "feedback"), item["feedback"])
        if None in choice.values():
            continue
        choices.append(choice)
    return choices if len(choices) == len(items) else None


def _tags(reader: FieldReader, path, value, vocabulary: TagVocabulary | None) -> list[str] | None:
    items = reader.sequence(path, value, max_items=20)
    if items is None:
        return None
    tags = [reader.identifier((*path, i), tag) for i, tag in enumerate(items)]
    if None in tags:
        return None
    if len(set(tags)) != len(tags):
        reader.fail(path, "lists a tag twice")
        return None
    if vocabulary is not None and not check_tags(reader, path, tags, vocabulary):
        return None
    return tags


def read_question(
    reader: FieldReader,
    path,
    question,
    catalog: SourceCatalog,
    vocabulary: TagVocabulary | None = None,
    budget: SearchBudget | None = None,
):
    """Validate one question; return a :class:`QuestionSpec` or ``None``.

    With a ``vocabulary``, every tag must be declared in it; without one
    (tests of other rules), any well-formed tag is accepted. Quotes not
    found are searched for within ``budget`` (a question's own by default).
    """
    if reader.mapping(path, question, QUESTION_REQUIRED, QUESTION_OPTIONAL) is None:
        return None
    before = len(reader.problems)
    key = reader.identifier((*path, "id"), question.get("id"))
    qtype = REGISTRY.get(question.get("type"))
    if qtype is None and "type" in question:
        reader.fail(
            (*path, "type"), f"unknown type '{question['type']}' (known: {', '.join(REGISTRY)})"
        )
    status = reader.choice((*path, "status"), question.get("status", "published"), STATUSES)
    draft = status == "draft"
    content = {
        "type": question.get("type"),
        "status": status,
        "difficulty": reader.integer((*path, "difficulty"), question.get("difficulty"), 1, 3),
        "tags": _tags(reader, (*path, "tags"), question.get("tags", []), vocabulary),
        "prompt": reader.bilingual((*path, "prompt"), question.get("prompt")),
    }
    if "explanation" in question:
        content["explanation"] = reader.bilingual((*path, "explanation"), question["explanation"])
    elif not draft:
        reader.fail(path, "missing field 'explanation' (only a draft may be without one)")
    if not draft:
        # A question brought in from another tool has its one language in
        # both halves until it is translated: it stays a draft till then.
        for name in ("prompt", "explanation"):
            text = content.get(name)
            if text and not has_chinese(text["zh"]):
                reader.fail(
                    (*path, name, "zh"),
                    "has no Chinese: translate it first (only a draft may be in one language)",
                )
    if "objective" in question:
        content["objective"] = _objective(
            reader, (*path, "objective"), question["objective"], vocabulary
        )
    if "form" in question:
        content["form"] = reader.choice((*path, "form"), question["form"], FORMS)
    if "time_limit" in question:
        content["time_limit"] = reader.integer(
            (*path, "time_limit"), question["time_limit"], *TIME_LIMIT_RANGE
        )
    if qtype is not None:
        choices = _choices(reader, path, question, qtype)
        if choices:
            content["choices"] = choices
        if choices is not None and "answer" in question:
            ids = [choice["id"] for choice in choices]
            content["answer"] = qtype.clean_answer(
                reader, (*path, "answer"), question["answer"], ids
            )
        if "wrong_feedback" in question:
            if qtype.uses_choices:
                reader.fail(
                    (*path, "wrong_feedback"),
                    "choice questions give feedback on each choice instead",
                )
            else:
                content["wrong_feedback"] = reader.bilingual(
                    (*path, "wrong_feedback"), question["wrong_feedback"]
                )
    citations = _citations(reader, path, question, catalog, budget or SearchBudget(), draft)
    if len(reader.problems) > before or key is None or citations is None:
        return None
    content["sources"] = [
        {"doc": c.doc, "exact": c.selector.exact}
        | ({"prefix": c.selector.prefix} if c.selector.prefix else {})
        | ({"suffix": c.selector.suffix} if c.selector.suffix else {})
        | ({"gloss": c.gloss} if c.gloss else {})
        for c in citations
    ]
    return QuestionSpec(key, content, citations)


def read_bank(
    raw: bytes,
    file: str,
    catalog: SourceCatalog,
    max_bytes: int = DEFAULT_MAX_BYTES,
    vocabulary: TagVocabulary | None = None,
    budget: SearchBudget | None = None,
) -> tuple[BankSpec | None, list[Problem]]:
    """Parse and validate one bank file's bytes (``budget``: see :func:`check_documents`)."""
    budget = budget or SearchBudget()
    located, problems = load_yaml(raw, file, max_bytes)
    if located is None:
        return None, problems
    reader = FieldReader(located, file)
    data = reader.mapping((), located.data, BANK_FIELDS, BANK_OPTIONAL)
    if data is None:
        return None, reader.problems
    slug = reader.identifier(("bank",), data.get("bank"))
    title = reader.bilingual(("title",), data.get("title"), max_length=200)
    description = reader.bilingual(("description",), data.get("description"), max_length=2000)
    status = reader.choice(("status",), data.get("status", "active"), BANK_STATUSES)
    entries = (
        reader.sequence(("questions",), data.get("questions"), min_items=0, max_items=MAX_QUESTIONS)
        if "questions" in data
        else None
    )
    questions, first_line = [], {}
    for index, entry in enumerate(entries or ()):
        spec = read_question(reader, ("questions", index), entry, catalog, vocabulary, budget)
        if spec is None:
            continue
        line = located.where(("questions", index))[0]
        if spec.key in first_line:
            reader.fail(
                ("questions", index, "id"),
                f"duplicate question id '{spec.key}' (first at line {first_line[spec.key]})",
            )
            continue
        first_line[spec.key] = line
        questions.append(spec)
    if reader.problems or None in (slug, title, description, status) or entries is None:
        return None, reader.problems
    line = located.where(("bank",))[0]
    base = _file_base(reader, data["base"]) if "base" in data else None
    if reader.problems:
        return None, reader.problems
    digest = hashlib.sha256(raw).hexdigest()
    return BankSpec(slug, title, description, questions, file, line, status, base, digest), []


def _file_base(reader: FieldReader, value) -> FileBase | None:
    """The ``base:`` of an exported file: ``{revision: N, bank_uid: ...}``."""
    if reader.mapping(("base",), value, ("revision", "bank_uid"), ()) is None:
        return None
    revision = reader.integer(("base", "revision"), value.get("revision"), 1, 2**31 - 1)
    uid = reader.string(("base", "bank_uid"), value.get("bank_uid"), max_length=32)
    if revision is None or uid is None:
        return None
    return FileBase(uid, revision)


def check_question(
    raw, catalog: SourceCatalog, vocabulary: TagVocabulary | None = None
) -> tuple[QuestionSpec | None, list[Problem]]:
    """Validate one question given as data (the editor's form), not as a file.

    The same rules as a question in a bank file; each problem carries the
    path of its field so that the form can show it there.
    """
    reader = FieldReader(Located(raw, {}), "question")
    spec = read_question(reader, (), raw, catalog, vocabulary)
    return spec, reader.problems


def bank_files(paths: list[Path]) -> list[Path]:
    """The bank files named by ``paths``: files as given, folders' ``*.yaml``/``*.yml``.

    The tag vocabulary (``_tags.yaml``) and the objectives (``_objectives.yaml``)
    sit among the banks but are not banks: no bank id starts with "_", so
    every such file is left out, also when named (``flask quiz check
    questions/*.yaml``).
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            )
        else:
            found.append(path)
    return [path for path in found if not path.name.startswith("_")]


def check_documents(
    documents: list[tuple[str, bytes]],
    catalog: SourceCatalog,
    max_bytes: int = DEFAULT_MAX_BYTES,
    vocabulary: TagVocabulary | None = None,
) -> CheckResult:
    """Validate bank files given as ``(name, bytes)``, and bank ids across them.

    Files on disk (``flask quiz check``) and files uploaded in the browser
    both come through here; tags are checked against ``vocabulary`` if given.
    The closest passage to a quote not found is searched for the first
    :data:`~quizapp.domain.anchoring.MAX_SEARCHES` such quotes of all the
    files only, so that an upload of wrong quotes is refused in well under
    a second.
    """
    result = CheckResult()
    budget = SearchBudget()
    where_bank: dict[str, BankSpec] = {}
    for name, raw in documents:
        bank, problems = read_bank(raw, name, catalog, max_bytes, vocabulary, budget)
        result.problems.extend(problems)
        if bank is None:
            continue
        if bank.slug in where_bank:
            first = where_bank[bank.slug]
            result.problems.append(
                Problem(
                    bank.file,
                    bank.line,
                    1,
                    f"bank: duplicate bank id '{bank.slug}' (also in {first.file}:{first.line})",
                )
            )
            continue
        where_bank[bank.slug] = bank
        result.banks.append(bank)
    return result


def check_files(
    paths: list[Path],
    catalog: SourceCatalog,
    max_bytes: int = DEFAULT_MAX_BYTES,
    vocabulary: TagVocabulary | None = None,
) -> CheckResult:
    """Validate every bank file under ``paths``, and bank ids across them."""
    files = bank_files(paths)
    missing = [Problem(str(path), 1, 1, "no such file") for path in files if not path.is_file()]
    documents = [(str(path), path.read_bytes()) for path in files if path.is_file()]
    result = check_documents(documents, catalog, max_bytes, vocabulary)
    result.files = files
    result.problems[:0] = missing
    return result
