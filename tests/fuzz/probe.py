"""One fuzzed request, how it is sent, and what every answer must satisfy.

The oracle (:func:`check`):

- no 5xx, and no exception escaping the app (the test client re-raises
  what the app did not handle; a server would answer 500);
- no traceback text in the body, and the security headers on every answer;
- a redirect stays on this site, read as a browser reads ``Location``;
- a refused request (4xx) leaves the database as it was (rows of every
  table, see :meth:`World.fingerprint`);
- no request takes longer than ``QUIZ_FUZZ_SLOW_S`` seconds (a worker
  held that long is a denial of service).
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import traceback
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urljoin, urlsplit

from flask.testing import EnvironBuilder

from quizapp.security import SECURITY_HEADERS
from tests.fuzz.world import World

SLOW_S = float(os.environ.get("QUIZ_FUZZ_SLOW_S") or 5)
REPORT = os.environ.get("QUIZ_FUZZ_REPORT")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
SITE = "http://localhost"


@dataclass(frozen=True)
class Probe:
    """A request as the fuzzer (or an issue's finding) describes it.

    ``path`` and ``query`` are sent as they are (already %-encoded) after
    ``{name}`` is replaced by the world's named values (``{session_open}``).
    ``fields`` is None for a request without a form; ``csrf`` is "valid"
    (the role's token is added), "missing", or a forged token to send.
    ``body`` "urlencoded" or "multipart" sends the fields (and files) as
    bytes encoded here, under whatever Content-Type the headers say: field
    names as they are (a ``"`` or a line break in one breaks its part's
    header), and a part without a name for an empty name.
    """

    role: str
    method: str
    path: str
    query: str = ""
    fields: tuple[tuple[str, str], ...] | None = None
    csrf: str = "valid"
    files: tuple[tuple[str, bytes, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""

    def __repr__(self) -> str:
        # Short: Hypothesis prints failing examples, and a value may be 25,000 characters.
        shown = ", ".join(f"{name}={_cut(repr(value), 300)}" for name, value in vars(self).items())
        return f"Probe({shown})"

    def _repr_pretty_(self, printer, _cycle) -> None:
        printer.text(repr(self))

    def url(self, world: World) -> str:
        path = self.path.format_map(world.named)
        query = self.query.format_map(world.named)
        return f"{path}?{query}" if query else path

    def describe(self, world: World) -> str:
        """A reproducer: who sends what, with long values cut."""
        lines = [f"{self.method} {_cut(self.url(world), 300)}  as {self.role}"]
        if self.fields is not None:
            lines.append(f"  csrf: {self.csrf[:40]}")
            lines.extend(f"  form {name!r} = {_cut(repr(value))}" for name, value in self.fields)
        lines.extend(
            f"  file {field!r}: {name!r}, {len(content)} bytes {_cut(repr(content[:80]))}"
            for field, content, name in self.files
        )
        lines.extend(f"  header {name}: {_cut(repr(value))}" for name, value in self.headers)
        if self.body:
            lines.append(f"  (form sent as a {self.body} body encoded by the fuzzer)")
        return "\n".join(lines)


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def encode_query(pairs) -> str:
    """``(name, value, raw)`` triples as a query string; raw values are not encoded."""
    return "&".join(
        f"{quote(name, safe='')}={value if raw else quote(value, safe='')}"
        for name, value, raw in pairs
    )


@dataclass
class Outcome:
    """What came back: ``status`` None and ``error`` the traceback when the app raised."""

    status: int | None
    location: str | None
    body: str
    headers: dict
    elapsed: float
    error: str | None
    wrote: bool


def send(world: World, probe: Probe) -> Outcome:
    """Send ``probe`` from a fresh browser of its role."""
    client = world.client(probe.role)
    headers = dict(probe.headers)
    fields = list(probe.fields or ())
    if probe.fields is not None:
        token = world.roles[probe.role].csrf if probe.csrf == "valid" else probe.csrf
        if probe.csrf != "missing":
            fields.insert(0, ("csrf_token", token))
    kwargs = {}
    if probe.body == "urlencoded":
        kwargs["data"] = "&".join(
            f"{quote_plus(name)}={quote_plus(value)}" for name, value in fields
        ).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif probe.body == "multipart":
        kwargs["data"] = multipart(fields, probe.files)
        headers.setdefault("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    elif probe.fields is not None or probe.files:
        data: dict[str, list] = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        for field, content, name in probe.files:
            data.setdefault(field, []).append((io.BytesIO(content), name))
        kwargs["data"] = data
        if "Content-Type" in headers and not probe.files:
            # The client picks urlencoded or multipart; an odd type goes as it is.
            kwargs["content_type"] = headers.pop("Content-Type")
    path, _, query = probe.url(world).partition("?")
    builder = EnvironBuilder(
        world.app, path, method=probe.method, query_string=query, headers=headers, **kwargs
    )
    try:
        request = builder.get_request()
    finally:
        builder.close()
    writes = world.writes
    started = time.perf_counter()
    try:
        response = client.open(request)
    except Exception:  # what a server would have answered 500 to
        elapsed = time.perf_counter() - started
        return Outcome(None, None, "", {}, elapsed, _last_lines(traceback.format_exc()), True)
    finally:
        # A large body is spooled to a temporary file that nothing else closes.
        request.environ["wsgi.input"].close()
    elapsed = time.perf_counter() - started
    body = response.get_data().decode("utf-8", "replace")
    return Outcome(
        response.status_code,
        response.headers.get("Location"),
        body,
        dict(response.headers),
        elapsed,
        None,
        world.writes != writes,
    )


BOUNDARY = "fuzz-boundary"


def multipart(fields, files) -> bytes:
    """A multipart body written by hand: names are not escaped, an empty name is left out."""
    parts = []
    for name, value, filename in [(n, v.encode(), None) for n, v in fields] + [
        (field, content, filename) for field, content, filename in files
    ]:
        disposition = "form-data" + (f'; name="{name}"' if name else "")
        if filename is not None:
            disposition += f'; filename="{filename}"'
        parts.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        parts.append(value + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _last_lines(text: str, count: int = 8) -> str:
    """The end of a traceback, after the app's last frame (where to look), lines cut."""
    lines = text.rstrip().splitlines()
    ours = [
        i
        for i, line in enumerate(lines)
        if line.lstrip().startswith('File "') and "/quizapp/" in line
    ]
    shown = [*lines[ours[-1] : ours[-1] + 2], "  ..."] if ours else []
    return "\n".join(_cut(line, 300) for line in shown + lines[-count:])


def check(world: World, probe: Probe) -> None:
    """Send ``probe`` and fail on any problem; with ``QUIZ_FUZZ_REPORT=FILE``, write
    the problems to FILE (one JSON line each) and go on, to see them all in one run."""
    found = exercise(world, probe)
    if found and REPORT:
        with open(REPORT, "a", encoding="utf-8") as report:
            report.write(json.dumps({"probe": probe.describe(world), "problems": found}) + "\n")
        return
    assert not found, "\n".join([probe.describe(world), *found])


def exercise(world: World, probe: Probe) -> list[str]:
    """Send ``probe``; what is wrong with the answer (empty when nothing is)."""
    world.before()
    outcome = send(world, probe)
    refused = outcome.status is not None and 400 <= outcome.status < 500
    changed = world.after(outcome.wrote, refused)
    found = problems(world, probe, outcome)
    if changed:
        found.append(f"refused with {outcome.status} but changed tables {changed}")
    return found


def problems(world: World, probe: Probe, outcome: Outcome) -> list[str]:
    """What is wrong with ``outcome`` apart from the database."""
    found = []
    if outcome.error is not None:
        return [f"unhandled exception (a server answers 500):\n{outcome.error}"]
    if outcome.status >= 500:
        found.append(f"answered {outcome.status}: {_cut(_text_of(outcome.body), 400)}")
    if TRACEBACK.search(outcome.body):
        found.append("traceback text in the body")
    missing = [name for name, _value in SECURITY_HEADERS if name not in outcome.headers]
    if missing:
        found.append(f"without security headers: {', '.join(missing)}")
    if outcome.location is not None and not same_site(outcome.location, probe.url(world)):
        found.append(f"redirects off the site: Location {outcome.location!r}")
    if outcome.elapsed > SLOW_S:
        found.append(f"took {outcome.elapsed:.1f} s (QUIZ_FUZZ_SLOW_S={SLOW_S:g})")
    return found


def same_site(location: str, request_url: str) -> bool:
    """Whether a browser that follows ``Location`` stays on this site.

    As the WHATWG URL parser reads it: C0 controls and spaces trimmed from
    the ends, tabs and newlines dropped anywhere, a backslash is a slash.
    """
    cleaned = re.sub(r"[\t\n\r]", "", location.strip("\x00- ")).replace("\\", "/")
    target = urlsplit(urljoin(SITE + request_url, cleaned))
    return target.scheme in ("http", "https") and target.hostname == "localhost"


def _text_of(page: str) -> str:
    """A page's text without its markup, for a short message."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip()
