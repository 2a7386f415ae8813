"""Field-level validation shared by the bank and source file schemas.

A :class:`FieldReader` walks parsed YAML, checks each field's shape and
records a :class:`Problem` at the field's position when it is wrong. Each
method returns the cleaned value, or ``None`` after recording a problem, so
that one pass reports every problem in a file rather than the first.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from quizapp.domain.problems import Problem
from quizapp.domain.yamlfile import Located, Path

#: Languages every piece of content is written in.
LANGUAGES = ("zh", "en")

IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def describe(path: Path) -> str:
    """``questions[3].prompt.en`` for ``("questions", 3, "prompt", "en")``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


class FieldReader:
    """Validates the fields of one parsed file, collecting problems."""

    def __init__(self, located: Located, file: str):
        self.located = located
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, path: Path, message: str) -> None:
        """Record ``message`` about the value at ``path``."""
        line, column = self.located.where(path)
        self.problems.append(
            Problem(self.file, line, column, f"{describe(path)}: {message}", tuple(path), message)
        )

    def mapping(
        self,
        path: Path,
        value: Any,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        unknown_hint: str = "",
    ) -> dict | None:
        """A mapping with exactly the ``required`` keys and some ``optional`` ones."""
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping with {', '.join(required)}")
            return None
        known = required + optional
        for key in value:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else unknown_hint
                self.fail((*path, key), f"unknown field '{key}'{extra}")
        for key in required:
            if key not in value:
                self.fail(path, f"missing field '{key}'")
        return value

    def string(self, path: Path, value: Any, *, max_length: int = 20_000) -> str | None:
        """A non-empty string, stripped of surrounding white space."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(path, "expected text")
            return None
        text = str(value).strip()
        if not text:
            self.fail(path, "must not be empty")
            return None
        if len(text) > max_length:
            self.fail(path, f"is {len(text)} characters; the limit is {max_length}")
            return None
        return text

    def identifier(self, path: Path, value: Any) -> str | None:
        """A stable id: lower-case letters, digits, '-' and '_', at most 64 long."""
        if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
            self.fail(path, f"'{value}' is not a valid id (use a-z, 0-9, '-' and '_', at most 64)")
            return None
        return value

    def bilingual(self, path: Path, value: Any, *, max_length: int = 20_000) -> dict | None:
        """Text in both languages: ``{zh: ..., en: ...}``."""
        if isinstance(value, str):
            self.fail(path, "needs both languages: write it as {zh: ..., en: ...}")
            return None
        # In `{zh: a, b}` an unquoted ASCII comma ends the text early and
        # YAML reads "b" as a key: the likeliest cause of a stray key here.
        hint = "; if it is part of the text, put the text in quotes (a comma inside {...} ends it)"
        if self.mapping(path, value, LANGUAGES, unknown_hint=hint) is None:
            return None
        cleaned = {
            lang: self.string((*path, lang), value[lang], max_length=max_length)
            for lang in LANGUAGES
            if lang in value
        }
        if len(cleaned) != len(LANGUAGES) or None in cleaned.values():
            return None
        return cleaned

    def integer(self, path: Path, value: Any, low: int, high: int) -> int | None:
        """A whole number from ``low`` to ``high``."""
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(path, f"expected a whole number from {low} to {high}")
            return None
        return value

    def choice(self, path: Path, value: Any, allowed: tuple[str, ...]) -> str | None:
        """One of ``allowed``."""
        if value not in allowed:
            self.fail(path, f"'{value}' is not one of: {', '.join(allowed)}")
            return None
        return value

    def sequence(self, path: Path, value: Any, *, min_items: int = 0, max_items: int = 10_000):
        """A list of ``min_items`` to ``max_items`` items."""
        if not isinstance(value, list):
            self.fail(path, "expected a list")
            return None
        if not min_items <= len(value) <= max_items:
            self.fail(path, f"expected {min_items} to {max_items} items, found {len(value)}")
            return None
        return value
