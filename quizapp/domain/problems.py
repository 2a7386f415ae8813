"""Problems found in a file, reported as ``file:line:column: message``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str
    line: int
    column: int
    message: str
    #: The field the problem is about, as a path into the parsed data, and
    #: the message without the path: the editor shows it next to the field.
    path: tuple = field(default=(), compare=False)
    detail: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"
