"""The source articles and their catalogue, ``seeds/sources.yaml``.

The catalogue names each seed file with a stable id and its metadata, the
SHA-256 of its bytes (so an edited seed is refused: the originals are kept
byte for byte), and display rules: where the article starts and ends inside
the copy, a pattern for scraper noise, and whether lines broken mid-sentence
should be joined. Display rules change only how an article is shown, never
the stored text.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.domain.anchoring import (
    Anchor,
    AnchorError,
    InContext,
    SearchBudget,
    Selector,
    in_context,
    locate,
)
from quizapp.domain.fields import FieldReader
from quizapp.domain.problems import Problem
from quizapp.domain.text import FoldedText, fold
from quizapp.domain.yamlfile import load_yaml

CATALOGUE_FILE = "sources.yaml"
PUBLISHED = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
SELECTOR_FIELDS = ("prefix", "suffix")


@dataclass(frozen=True)
class DisplayRules:
    """How to show a copy as a readable article (display only)."""

    article_start: int
    article_end: int
    noise: str | None = None
    join_broken_lines: bool = False


class SourceDoc:
    """One source article: its metadata and its untouched text."""

    def __init__(self, meta: dict, text: str, folded: FoldedText, display: DisplayRules):
        self.id: str = meta["id"]
        self.file: str = meta["file"]
        self.sha256: str = meta["sha256"]
        self.outlet: dict = meta["outlet"]
        self.title: dict = meta["title"]
        self.authors: list[str] = meta["authors"]
        self.published: str = meta["published"]
        self.date_note: dict | None = meta.get("date_note")
        self.language: str = meta["language"]
        self.copy_note: dict = meta["copy"]
        self.text = text
        #: The folded text (see quizapp.domain.text), computed once per load.
        self.folded = folded
        self.display = display

    def locate(self, selector: Selector, budget: SearchBudget | None = None) -> Anchor:
        """Anchor a quote in this document (see :func:`anchoring.locate`)."""
        return locate(self.folded, self.text, selector, budget)

    def quote_in_context(self, selector: Selector, width: int = 60) -> InContext:
        """The quote with the text around it; raises AnchorError if it does not anchor."""
        return in_context(self.text, self.locate(selector), width)


@dataclass
class SourceCatalog:
    """All source documents by id."""

    docs: dict[str, SourceDoc]
    #: The project's translations, by (source id, language): see domain.translations.
    translations: dict = field(default_factory=dict)

    def get(self, doc_id: str) -> SourceDoc | None:
        """The document with ``doc_id``, or ``None``."""
        return self.docs.get(doc_id)


def read_selector(reader: FieldReader, path, value) -> Selector | None:
    """A TextQuoteSelector mapping ``{exact, prefix?, suffix?}`` (no ``doc``)."""
    if reader.mapping(path, value, ("exact",), SELECTOR_FIELDS) is None:
        return None
    exact = reader.string((*path, "exact"), value.get("exact"), max_length=2000)
    extra = {
        key: reader.string((*path, key), value[key], max_length=200)
        for key in SELECTOR_FIELDS
        if key in value
    }
    if exact is None or None in extra.values():
        return None
    return Selector(exact, extra.get("prefix"), extra.get("suffix"))


def _published(reader: FieldReader, path, value) -> str | None:
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if not isinstance(value, str) or not PUBLISHED.fullmatch(value):
        reader.fail(path, "expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    return value


def _display(
    reader: FieldReader, path, value, doc_text: str, folded: FoldedText
) -> DisplayRules | None:
    fields = ("article_start", "article_end")
    if reader.mapping(path, value, fields, ("noise", "join_broken_lines")) is None:
        return None
    anchors = {}
    for key in fields:
        selector = read_selector(reader, (*path, key), value.get(key))
        if selector is None:
            continue
        try:
            anchors[key] = locate(folded, doc_text, selector)
        except AnchorError as error:
            reader.fail((*path, key, "exact"), str(error))
    noise = value.get("noise")
    if noise is not None:
        try:
            re.compile(noise)
        except (re.error, TypeError) as error:
            reader.fail((*path, "noise"), f"not a valid regular expression: {error}")
            noise = None
    join = value.get("join_broken_lines", False)
    if not isinstance(join, bool):
        reader.fail((*path, "join_broken_lines"), "expected true or false")
    if len(anchors) != len(fields):
        return None
    start, end = anchors["article_start"].start, anchors["article_end"].end
    if start >= end:
        reader.fail(path, "article_start must come before article_end")
        return None
    return DisplayRules(start, end, noise, join is True)


META_REQUIRED = (
    "id",
    "file",
    "sha256",
    "outlet",
    "title",
    "authors",
    "published",
    "language",
    "copy",
    "display",
)


def _read_entry(reader: FieldReader, path, entry, seeds_dir: Path, max_bytes: int):
    if reader.mapping(path, entry, META_REQUIRED, ("date_note",)) is None:
        return None
    problems_before = len(reader.problems)
    meta = {
        "id": reader.identifier((*path, "id"), entry.get("id")),
        "file": reader.string((*path, "file"), entry.get("file"), max_length=255),
        "sha256": reader.string((*path, "sha256"), entry.get("sha256"), max_length=64),
        "outlet": reader.bilingual((*path, "outlet"), entry.get("outlet"), max_length=200),
        "title": reader.bilingual((*path, "title"), entry.get("title"), max_length=500),
        "published": _published(reader, (*path, "published"), entry.get("published")),
        "language": reader.string((*path, "language"), entry.get("language"), max_length=16),
        "copy": reader.bilingual((*path, "copy"), entry.get("copy"), max_length=2000),
    }
    authors = reader.sequence((*path, "authors"), entry.get("authors"), max_items=20)
    if authors is not None:
        meta["authors"] = [
            reader.string((*path, "authors", i), name, max_length=100)
            for i, name in enumerate(authors)
        ]
    if "date_note" in entry:
        meta["date_note"] = reader.bilingual((*path, "date_note"), entry["date_note"])
    file_name = meta["file"]
    if file_name is None or "/" in file_name or "\\" in file_name or file_name.startswith("."):
        if file_name is not None:
            reader.fail((*path, "file"), "must be a plain file name inside the seeds folder")
        return None
    location = seeds_dir / file_name
    if not location.is_file():
        reader.fail((*path, "file"), f"no such file in {seeds_dir}")
        return None
    raw = location.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if meta["sha256"] is not None and digest != meta["sha256"]:
        reader.fail(
            (*path, "sha256"),
            f"{file_name} has changed (its SHA-256 is {digest}); "
            "the seed files are kept byte for byte",
        )
    if len(raw) > max_bytes:
        reader.fail((*path, "file"), f"{file_name} is larger than {max_bytes:,} bytes")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        reader.fail((*path, "file"), f"{file_name} is not valid UTF-8")
        return None
    folded = fold(text)
    display = _display(reader, (*path, "display"), entry.get("display"), text, folded)
    if len(reader.problems) > problems_before or display is None:
        return None
    return SourceDoc(meta, text, folded, display)


def load_catalog(seeds_dir: Path, max_bytes: int) -> tuple[SourceCatalog, list[Problem]]:
    """Read ``seeds_dir/sources.yaml`` and the documents it names."""
    path = seeds_dir / CATALOGUE_FILE
    if not path.is_file():
        return SourceCatalog({}), [Problem(str(path), 1, 1, "source catalogue not found")]
    located, problems = load_yaml(path.read_bytes(), str(path), max_bytes)
    if located is None:
        return SourceCatalog({}), problems
    reader = FieldReader(located, str(path))
    docs: dict[str, SourceDoc] = {}
    top = reader.mapping((), located.data, ("sources",))
    entries = reader.sequence(("sources",), top.get("sources"), min_items=1) if top else None
    for index, entry in enumerate(entries or ()):
        doc = _read_entry(reader, ("sources", index), entry, seeds_dir, max_bytes)
        if doc is None:
            continue
        if doc.id in docs:
            reader.fail(("sources", index, "id"), f"duplicate source id '{doc.id}'")
            continue
        docs[doc.id] = doc
    return SourceCatalog(docs), reader.problems
