"""The tag vocabulary: which tags a question may carry, named in both languages.

Tags are what teachers filter on, so a typo (``deepfake-case`` for
``deepfake-cases``) would quietly hide a question from a filter. Every tag
is therefore declared once, in ``_tags.yaml`` in the questions folder, and
a question using an undeclared tag is refused with the closest declared
one as the likely fix. The file's format is documented in
``questions/README.md``.

The file is named with a leading underscore because a bank id cannot start
with one: ``flask quiz export`` writes a bank to ``BANK-ID.yaml``, so no
bank can ever be written over the vocabulary, and no bank file can be
mistaken for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from quizapp.domain.fields import FieldReader
from quizapp.domain.problems import Problem
from quizapp.domain.yamlfile import DEFAULT_MAX_BYTES, load_yaml

#: The vocabulary's file name inside the questions folder; never a bank.
TAGS_FILE = "_tags.yaml"
#: A topic says what a question is about; a skill, what it trains.
KINDS = ("topic", "skill")
MAX_TAGS = 500


@dataclass(frozen=True)
class Tag:
    """One declared tag."""

    id: str
    kind: str
    label: dict
    description: dict | None = None


@dataclass
class TagVocabulary:
    """The declared tags by id, in the file's order."""

    tags: dict[str, Tag] = field(default_factory=dict)

    def __contains__(self, tag_id: object) -> bool:
        return tag_id in self.tags

    def closest(self, tag_id: str) -> str | None:
        """The declared tag spelled most like ``tag_id`` (None if none is declared)."""
        best = process.extractOne(tag_id, list(self.tags), scorer=fuzz.ratio)
        return best[0] if best else None

    def label(self, tag_id: str, language: str) -> str:
        """The tag's name in ``language``, or its id if it is not declared."""
        tag = self.tags.get(tag_id)
        return tag.label[language] if tag is not None else tag_id

    def unknown(self, tag_id: str) -> str:
        """Why ``tag_id`` is refused, with the likeliest fix."""
        closest = self.closest(tag_id)
        if closest is None:
            return f"unknown tag '{tag_id}' (no tags are declared in {TAGS_FILE})"
        return f"unknown tag '{tag_id}' (closest known: '{closest}')"


def _read_tag(reader: FieldReader, path, entry) -> Tag | None:
    if reader.mapping(path, entry, ("id", "kind", "label"), ("description",)) is None:
        return None
    before = len(reader.problems)
    tag_id = reader.identifier((*path, "id"), entry.get("id"))
    kind = reader.choice((*path, "kind"), entry.get("kind"), KINDS)
    label = reader.bilingual((*path, "label"), entry.get("label"), max_length=80)
    description = None
    if "description" in entry:
        description = reader.bilingual((*path, "description"), entry["description"], max_length=300)
    if len(reader.problems) > before:
        return None
    return Tag(tag_id, kind, label, description)


def read_vocabulary(
    raw: bytes, file: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[TagVocabulary, list[Problem]]:
    """Parse and validate a vocabulary file's bytes.

    The valid entries are kept even when others are wrong, so that one bad
    line does not turn every tag of every bank into an error as well.
    """
    located, problems = load_yaml(raw, file, max_bytes)
    if located is None:
        return TagVocabulary(), problems
    reader = FieldReader(located, file)
    top = reader.mapping((), located.data, ("tags",))
    entries = (
        reader.sequence(("tags",), top.get("tags"), min_items=1, max_items=MAX_TAGS)
        if top and "tags" in top
        else None
    )
    vocabulary = TagVocabulary()
    first_line: dict[str, int] = {}
    for index, entry in enumerate(entries or ()):
        tag = _read_tag(reader, ("tags", index), entry)
        if tag is None:
            continue
        if tag.id in first_line:
            reader.fail(
                ("tags", index, "id"),
                f"duplicate tag '{tag.id}' (first at line {first_line[tag.id]})",
            )
            continue
        first_line[tag.id] = located.where(("tags", index))[0]
        vocabulary.tags[tag.id] = tag
    return vocabulary, reader.problems


def load_vocabulary(
    folder: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[TagVocabulary, list[Problem]]:
    """Read ``folder/_tags.yaml``; a missing file declares no tags, and says so."""
    path = folder / TAGS_FILE
    if not path.is_file():
        message = "tag vocabulary not found: every tag a question uses must be declared here"
        return TagVocabulary(), [Problem(str(path), 1, 1, message)]
    return read_vocabulary(path.read_bytes(), str(path), max_bytes)


def check_tags(reader: FieldReader, path, tags: list[str], vocabulary: TagVocabulary) -> bool:
    """Record each of ``tags`` that ``vocabulary`` does not declare; True if all are declared."""
    unknown = [(i, tag) for i, tag in enumerate(tags) if tag not in vocabulary]
    for index, tag in unknown:
        reader.fail((*path, index), vocabulary.unknown(tag))
    return not unknown
