"""Reading YAML safely, remembering the line and column of every value.

Bank and source files are untrusted input (admins upload them). They are
read with PyYAML's safe loader only, limited in size, required to be UTF-8,
and refused if they use aliases (the "billion laughs" expansion bomb needs
them, and a bank has no use for them). Nesting is limited in depth (the
tree is built recursively: 900 levels exhausted Python's stack) and a
number in length (Python refuses to convert an integer of over 4,300
digits, and a long one costs time for nothing). Duplicate keys, which
PyYAML silently collapses, are reported. Every value's position is kept so
that validation can say ``file:line:column``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quizapp.domain.problems import Problem

#: Default limit on a bank file's size; configurable as QUIZ_MAX_BANK_BYTES.
DEFAULT_MAX_BYTES = 1024 * 1024
#: The deepest nesting of mappings and lists accepted. A bank needs six
#: (a choice's feedback: bank, questions, question, choices, choice, feedback).
MAX_DEPTH = 32
#: The longest number accepted, in characters as written: a bank's numbers
#: are a difficulty, a revision and numeric answers.
MAX_NUMBER_CHARS = 100
NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")

Path = tuple[str | int, ...]

PLAIN_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


@dataclass
class Located:
    """Parsed YAML data and the position of each value, keyed by its path."""

    data: Any
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor that exists."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.marks:
                return self.marks[path[:cut]]
        return (1, 1)


class _Builder:
    """Turns a composed node tree into plain data, recording marks."""

    def __init__(self, file: str):
        self.file = file
        self.constructor = SafeConstructor()
        self.problems: list[Problem] = []
        self.marks: dict[Path, tuple[int, int]] = {}

    def problem(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def number_too_long(self, node: ScalarNode) -> bool:
        """Report a number too long to read (before reading it); True if it was."""
        if node.tag in NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            self.problem(
                node,
                f"a number of {len(node.value):,} characters; the limit is "
                f"{MAX_NUMBER_CHARS} (put it in quotes if it is text)",
            )
            return True
        return False

    def build(self, node: Node, path: Path) -> Any:
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, (MappingNode, SequenceNode)) and node.tag not in PLAIN_COLLECTIONS:
            # Collections are built here, not by the constructor, so their
            # tags must be refused here (e.g. !!python/object/apply).
            self.problem(node, f"unsupported value: the tag '{node.tag}' is not allowed")
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if self.number_too_long(node):
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as error:
            self.problem(node, f"unsupported value: {error.problem}")
            return None

    def _mapping(self, node: MappingNode, path: Path) -> dict:
        result: dict = {}
        first_seen: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "keys must be plain scalars")
                continue
            key = self.build_key(key_node)
            if key in first_seen:
                self.problem(key_node, f"duplicate key '{key}' (first at line {first_seen[key]})")
                continue
            first_seen[key] = key_node.start_mark.line + 1
            # A field's position is where its key is written: that is the
            # line an author looks for, even when the value is a block.
            self.marks[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.build(value_node, (*path, key))
        return result

    def build_key(self, node: ScalarNode) -> Any:
        if self.number_too_long(node):
            return node.value
        try:
            key = self.constructor.construct_object(node, deep=True)
        except ConstructorError as error:
            self.problem(node, f"unsupported key: {error.problem}")
            return node.value
        return key if isinstance(key, (str, int, bool)) else str(key)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        bad = raw[error.start : error.start + 1].hex()
        return None, [Problem(file, line, column, f"not valid UTF-8 (byte 0x{bad}); save as UTF-8")]
    return text.removeprefix("\ufeff"), []


def _syntax_problem(file: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    detail = " ".join(
        part for part in (getattr(error, "context", None), getattr(error, "problem", None)) if part
    )
    return Problem(file, line, column, f"YAML syntax error: {detail or error}")


# libyaml's parser when PyYAML was built with it: the same events, nodes and
# marks, ten times faster (the shipped banks take seconds in pure Python).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(
    raw: bytes, file: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Located | None, list[Problem]]:
    """Parse ``raw`` (the bytes of ``file``); return the data or the problems."""
    if len(raw) > max_bytes:
        # Readers stop at the limit and a byte (a zip's member, an upload):
        # the size beyond it is not known, only that it is over.
        message = f"file is larger than the limit of {max_bytes:,} bytes"
        return None, [Problem(file, 1, 1, message)]
    text, problems = _decode(raw, file)
    if text is None:
        return None, problems
    try:
        depth = 0
        for event in yaml.parse(text, Loader=SAFE_LOADER):
            # Checked on the events, before any tree is built: composing
            # and building the tree are recursive.
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    message = f"nested more than {MAX_DEPTH} levels deep"
                    problems.append(Problem(file, mark.line + 1, mark.column + 1, message))
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                message = (
                    f"aliases (*{event.anchor}) are not allowed in this file; write the value out"
                )
                problems.append(Problem(file, mark.line + 1, mark.column + 1, message))
        if problems:
            return None, problems
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        return None, [_syntax_problem(file, error)]
    if node is None:
        return None, [Problem(file, 1, 1, "the file is empty")]
    builder = _Builder(file)
    data = builder.build(node, ())
    if builder.problems:
        return None, builder.problems
    return Located(data, builder.marks), []
