"""What the app reads from URLs: numbers in paths and where to go next.

Both follow what the browser and werkzeug will do with the same text, so
what is checked is what is used.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request
from werkzeug.routing import BaseConverter, ValidationError

from quizapp.domain.numbers import MAX_DIGITS, whole_number


class WholeNumberConverter(BaseConverter):
    """``<int:...>`` in every route: ASCII digits up to ``MAX_INTEGER``, else 404.

    Werkzeug's own converter matches ``\\d``, which includes "²" (that
    ``int`` then refuses: a 500) and "٣", and lets through numbers beyond
    what the database holds.
    """

    regex = rf"[0-9]{{1,{MAX_DIGITS}}}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        try:
            return whole_number(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value) -> str:
        return str(int(value))


# What a browser drops from anywhere in a URL (the WHATWG URL parser) and
# from its ends; "\x00"-"\x1f" and space also end a header value early.
_DROPPED_ANYWHERE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None, fallback: str = "/") -> str:
    """``target`` if it is a path on this site, else ``fallback`` (the home page).

    Read as the browser will read the Location header: tabs and newlines
    are dropped ("/\\t/evil.com" is "//evil.com", another site), a
    backslash is a slash ("/\\evil.com"), and a scheme or a host makes it
    another site. The cleaned path is what is returned, so the redirect
    goes where the check looked.
    """
    if not target:
        return fallback
    cleaned = _DROPPED_ANYWHERE.sub("", target).strip(" ").replace("\\", "/")
    if _CONTROL.search(cleaned) or not cleaned.startswith("/") or cleaned.startswith("//"):
        return fallback
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return fallback
    return cleaned


def return_address() -> str | None:
    """Where to come back to after logging in: this page, for a page asked
    for; for a form sent or a poll (which are no page to land on: a form's
    address answers only POST), the page it came from, if on this site."""
    if request.method == "GET" and not _is_poll():
        return request.full_path.rstrip("?")
    back = safe_next(request.referrer and _path_of(request.referrer), fallback="")
    return back or None


def _is_poll() -> bool:
    return request.path.endswith("/state") or "part" in request.args


def _path_of(url: str) -> str:
    """The path and query of a same-host URL (a Referer is absolute)."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def init_app(app) -> None:
    """Use :class:`WholeNumberConverter` for ``<int:...>`` (before any route is added)."""
    app.url_map.converters["int"] = WholeNumberConverter
