"""Addresses of the source viewer that leave the app (in exported files)."""

from __future__ import annotations

from flask import current_app, request, url_for

from quizapp.models import Passage


def passage_link(passage: Passage, base: str | None = None) -> str:
    """The absolute address of ``passage`` highlighted in its article.

    On ``base``, else the app's public address (``QUIZ_PUBLIC_URL``: the one
    readers use, where a proxy stands in front), else the address of this
    request. Needs a request context (the CLI makes one).
    """
    path = url_for(
        "sources.show",
        source_id=passage.source_id,
        passage=passage.id,
        _anchor=f"passage-{passage.id}",
    )
    root = base or current_app.config.get("QUIZ_PUBLIC_URL") or request.host_url
    return root.rstrip("/") + path
