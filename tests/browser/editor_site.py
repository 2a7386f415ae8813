"""The editor's browser tests' one served question (the ``editor_site`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Site:
    """The served application, its address and the question to edit."""

    app: object
    base: str
    question_id: int

    def edit_url(self) -> str:
        return f"{self.base}/admin/questions/{self.question_id}/edit"
