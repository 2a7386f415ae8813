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
#: The learning objectives' file, beside it; never a bank either.
OBJECTIVES_FILE = "_objectives.yaml"
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


@dataclass(frozen=True)
class Objective:
    """One declared learning objective: what a question teaches."""

    id: str
    label: dict
    description: dict


@dataclass
class TagVocabulary:
    """The declared tags and learning objectives by id, in their files' order."""

    tags: dict[str, Tag] = field(default_factory=dict)
    objectives: dict[str, Objective] = field(default_factory=dict)

    def objective_label(self, objective_id: str, language: str) -> str:
        """The objective's name in ``language``, or its id if it is not declared."""
        objective = self.objectives.get(objective_id)
        return objective.label[language] if objective is not None else objective_id

    def unknown_objective(self, objective_id: str) -> str:
        """Why ``objective_id`` is refused, with the likeliest fix."""
        if not self.objectives:
            return f"unknown objective '{objective_id}' (none are declared in {OBJECTIVES_FILE})"
        best = process.extractOne(objective_id, list(self.objectives), scorer=fuzz.ratio)
        return f"unknown objective '{objective_id}' (closest known: '{best[0]}')"

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


def _read_entries(raw: bytes, file: str, max_bytes: int, key: str, read_one, limit: int):
    """The entries under ``key`` of a declarations file, by id, and the problems.

    The valid entries are kept even when others are wrong, so that one bad
    line does not turn every use of every entry into an error as well.
    """
    located, problems = load_yaml(raw, file, max_bytes)
    if located is None:
        return {}, problems
    reader = FieldReader(located, file)
    top = reader.mapping((), located.data, (key,))
    entries = (
        reader.sequence((key,), top.get(key), min_items=1, max_items=limit)
        if top and key in top
        else None
    )
    found: dict = {}
    first_line: dict[str, int] = {}
    what = key[:-1]  # "tags" -> "tag"
    for index, entry in enumerate(entries or ()):
        item = read_one(reader, (key, index), entry)
        if item is None:
            continue
        if item.id in first_line:
            reader.fail(
                (key, index, "id"),
                f"duplicate {what} '{item.id}' (first at line {first_line[item.id]})",
            )
            continue
        first_line[item.id] = located.where((key, index))[0]
        found[item.id] = item
    return found, reader.problems


def read_vocabulary(
    raw: bytes, file: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[TagVocabulary, list[Problem]]:
    """Parse and validate a vocabulary file's bytes (the valid tags are kept)."""
    tags, problems = _read_entries(raw, file, max_bytes, "tags", _read_tag, MAX_TAGS)
    return TagVocabulary(tags), problems


def _read_objective(reader: FieldReader, path, entry) -> Objective | None:
    if reader.mapping(path, entry, ("id", "label", "description"), ()) is None:
        return None
    before = len(reader.problems)
    objective_id = reader.identifier((*path, "id"), entry.get("id"))
    label = reader.bilingual((*path, "label"), entry.get("label"), max_length=80)
    description = reader.bilingual((*path, "description"), entry.get("description"), max_length=400)
    if len(reader.problems) > before:
        return None
    return Objective(objective_id, label, description)


def read_objectives(
    raw: bytes, file: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[dict[str, Objective], list[Problem]]:
    """Parse and validate an objectives file's bytes (the valid objectives are kept)."""
    return _read_entries(raw, file, max_bytes, "objectives", _read_objective, 50)


def load_vocabulary(
    folder: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[TagVocabulary, list[Problem]]:
    """Read ``folder/_tags.yaml`` and ``folder/_objectives.yaml``.

    A missing tags file declares no tags, and says so. A missing objectives
    file declares no objectives: questions may then name none (a folder of
    banks written before objectives existed still checks).
    """
    path = folder / TAGS_FILE
    if not path.is_file():
        message = "tag vocabulary not found: every tag a question uses must be declared here"
        vocabulary, problems = TagVocabulary(), [Problem(str(path), 1, 1, message)]
    else:
        vocabulary, problems = read_vocabulary(path.read_bytes(), str(path), max_bytes)
    objectives_path = folder / OBJECTIVES_FILE
    if objectives_path.is_file():
        objectives, more = read_objectives(
            objectives_path.read_bytes(), str(objectives_path), max_bytes
        )
        vocabulary.objectives = objectives
        problems = [*problems, *more]
    return vocabulary, problems


def check_tags(reader: FieldReader, path, tags: list[str], vocabulary: TagVocabulary) -> bool:
    """Record each of ``tags`` that ``vocabulary`` does not declare; True if all are declared."""
    unknown = [(i, tag) for i, tag in enumerate(tags) if tag not in vocabulary]
    for index, tag in unknown:
        reader.fail((*path, index), vocabulary.unknown(tag))
    return not unknown
