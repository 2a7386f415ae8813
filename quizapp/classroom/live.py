"""Conditional polling, the update mechanism of live pages.

A live page carries a *version* string; its script asks the state URL with
``If-None-Match: "<version>"`` and gets ``304 Not Modified`` (no body)
until something changed, then fetches the page again and swaps its live
region. The projector asks once a second; a student's screen asks with
``?wait=1`` and its poll is held until the session moves on (see
:mod:`quizapp.play.polls`). A poll costs one indexed read of the session
row, and the revision lives in the database only, so it works under any
number of gunicorn workers, hosts and proxies. See docs/development.md,
"How a live session works".
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from flask import Response, jsonify, request

from quizapp.models.content import aware

#: How often pages poll, in milliseconds: the projector's delay, and a
#: student's when a poll is not held (the server holds its limit).
POLL_INTERVAL_MS = 1000
#: Always revalidate: a cached "nothing changed" would freeze the screen.
STATE_CACHE_CONTROL = "no-cache"


def utc_iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 in UTC with a ``Z``, which every browser's
    ``Date.parse`` reads the same (SQLite returns naive times, PostgreSQL
    aware ones; the page's countdown must not depend on which)."""
    return aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def seconds_left(moment: datetime) -> int:
    """Whole seconds from now until ``moment`` (0 once it has passed)."""
    return max(0, round((aware(moment) - datetime.now(UTC)).total_seconds()))


def display_width(text: str) -> int:
    """How wide ``text`` sets, in Latin characters: a Chinese character
    counts two. The presenter lays out a long question beside its answers."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def state_response(version: str) -> Response:
    """``304`` if the client already has ``version``, else ``{"version": …}``."""
    unchanged = version in request.if_none_match
    response = Response(status=304) if unchanged else jsonify(version=version)
    response.set_etag(version)
    response.headers["Cache-Control"] = STATE_CACHE_CONTROL
    return response
