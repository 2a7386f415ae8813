"""The project's English translations of the sources, paragraph by paragraph.

An English reader cannot read the evidence in Chinese. Each source has a
translation file, ``seeds/translations/<source-id>.en.yaml``, with one entry
per paragraph of the article as the viewer lays it out
(:func:`quizapp.domain.display.lay_out`), in order; each entry starts with
the first words of its paragraph in Chinese (``zh``), which proves the
alignment, and gives the English (``en``). The translations are the
project's, not the outlets', and the viewer says so. ``flask quiz check``
refuses a file that misses, adds or misaligns a paragraph, with its
``file:line``. The stored articles are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quizapp.domain.display import lay_out
from quizapp.domain.fields import FieldReader
from quizapp.domain.problems import Problem
from quizapp.domain.sources import SourceCatalog, SourceDoc
from quizapp.domain.text import fold_text
from quizapp.domain.yamlfile import load_yaml

#: The folder of translation files inside the seeds folder.
TRANSLATIONS_DIR = "translations"
#: The languages translated into.
LANGUAGES = ("en",)
#: The largest translation file read. Not the bank limit: a translation is
#: the size of its article and is not uploaded.
MAX_TRANSLATION_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Translation:
    """A source's article in another language: the translation of each
    paragraph, keyed by the offset in the stored copy where it starts."""

    source_id: str
    language: str
    paragraphs: dict[int, str]


def article_paragraphs(doc: SourceDoc) -> list[tuple[int, str]]:
    """Each paragraph of the article as displayed: (offset of its start, its text)."""
    article = lay_out(doc.text, doc.display, {}).region("article")
    return [
        (paragraph.spans[0].start, "".join(span.text for span in paragraph.spans))
        for paragraph in article.paragraphs
    ]


def read_translation(
    raw: bytes, file: str, doc: SourceDoc, language: str, max_bytes: int
) -> tuple[Translation | None, list[Problem]]:
    """Parse a translation file and check that it covers every paragraph of ``doc``."""
    located, problems = load_yaml(raw, file, max_bytes)
    if located is None:
        return None, problems
    reader = FieldReader(located, file)
    top = reader.mapping((), located.data, ("source", "language", "paragraphs"))
    if top is None:
        return None, reader.problems
    if top.get("source") != doc.id:
        reader.fail(("source",), f"names '{top.get('source')}', but this file is for '{doc.id}'")
    reader.choice(("language",), top.get("language"), (language,))
    paragraphs = article_paragraphs(doc)
    entries = reader.sequence(("paragraphs",), top.get("paragraphs"), min_items=1)
    if entries is None:
        return None, reader.problems
    if len(entries) != len(paragraphs):
        reader.fail(
            ("paragraphs",),
            f"{len(entries)} paragraphs translated; the article has {len(paragraphs)}",
        )
    translated: dict[int, str] = {}
    for index, (entry, (start, text)) in enumerate(zip(entries, paragraphs, strict=False)):
        path = ("paragraphs", index)
        if reader.mapping(path, entry, ("zh", "en"), ()) is None:
            continue
        opening = reader.string((*path, "zh"), entry.get("zh"), max_length=200)
        english = reader.string((*path, "en"), entry.get("en"), max_length=20_000)
        if opening is None or english is None:
            continue
        if not fold_text(text).startswith(fold_text(opening)):
            reader.fail(
                (*path, "zh"),
                f"paragraph {index + 1} of the article starts {text[:20]!r}, not {opening!r}: "
                "a paragraph is missing, added or out of order here",
            )
            continue
        translated[start] = english
    if reader.problems:
        return None, reader.problems
    return Translation(doc.id, language, translated), []


def load_translations(
    seeds_dir: Path, catalog: SourceCatalog, max_bytes: int = MAX_TRANSLATION_BYTES
) -> tuple[dict[tuple[str, str], Translation], list[Problem]]:
    """Every source's translations, by (source id, language); a source
    without one is a problem: its evidence would be unreadable in English."""
    found: dict[tuple[str, str], Translation] = {}
    problems: list[Problem] = []
    for doc in catalog.docs.values():
        for language in LANGUAGES:
            path = seeds_dir / TRANSLATIONS_DIR / f"{doc.id}.{language}.yaml"
            if not path.is_file():
                problems.append(
                    Problem(str(path), 1, 1, f"no {language} translation of source '{doc.id}'")
                )
                continue
            translation, more = read_translation(
                path.read_bytes(), str(path), doc, language, max_bytes
            )
            problems += more
            if translation is not None:
                found[(doc.id, language)] = translation
    return found, problems
