"""The inputs issue 20's attack run found, sent through the fuzz suite's oracle.

Each is an explicit example of the same check every fuzzed request gets
(:func:`tests.fuzz.probe.exercise`): were one of these faults back, the
suite would fail here whatever requests the generator happens to draw.
``{session_open}``-style names are the prepared world's (see
:func:`tests.fuzz.world.prepare`).
"""

from __future__ import annotations

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import PROFILE
from tests.fuzz.inputs import BIG_INTEGER_YAML, DEEP_MAPPING_YAML, DEEP_YAML
from tests.fuzz.probe import Probe, check
from tests.web.classroom_client import PASSWORD, SESSION_OPTIONS

HUGE = str(2**63)
ETAG_DIGITS = '"' + "9" * 5000 + '"'
LOG_IN = (("name", "fuzz-teacher"), ("password", PASSWORD))


def answer(position: str = "0", round_: str = "1", confidence: str = "2"):
    return (("position", position), ("round", round_), ("answer", "a"), ("confidence", confidence))


@settings(settings.get_profile(PROFILE), phases=(Phase.explicit,))
@given(probe=st.just(Probe("anonymous", "GET", "/")))  # only the examples run
# Unicode digits: "²".isdigit() is true and int("²") fails.
@example(Probe("student", "POST", "/play/s/{session_open}/answer", fields=answer(position="²")))
@example(Probe("student", "POST", "/play/s/{session_open}/answer", fields=answer(round_="²")))
@example(Probe("student", "POST", "/play/s/{session_paced}/answer", fields=answer(confidence="²")))
@example(
    Probe("student", "POST", "/study/{attempt}/2", fields=(("answer", "a"), ("confidence", "²")))
)
@example(
    Probe(
        "teacher",
        "POST",
        "/classroom/{session_open}/control",
        fields=(("action", "close"), ("revision", "²")),
    )
)
@example(Probe("admin", "POST", "/admin/banks/{bank}/status", fields=(("revision", "²"),)))
@example(
    Probe(
        "admin",
        "POST",
        f"/admin/questions/{{question}}/versions/{HUGE}/restore",
        fields=(("base_version", "1"),),
    )
)
@example(
    Probe(
        "admin",
        "POST",
        "/admin/questions/{question}/edit",
        fields=(("action", "remove_choice-²"), ("difficulty", "²"), ("type", "single")),
    )
)
# Integers beyond 2**63, on both databases.
@example(Probe("anonymous", "GET", "/sources/{source}", query=f"passage={HUGE}"))
@example(Probe("student", "GET", f"/play/s/{{session_finished}}/{2**64}"))
@example(Probe("student", "GET", f"/play/s/{{session_paced}}/{2**64}"))
@example(Probe("admin", "GET", f"/admin/questions/{HUGE}"))
@example(Probe("admin", "GET", f"/admin/questions/{HUGE}/versions/{HUGE}"))
@example(Probe("admin", "GET", "/admin/questions", query=f"page={HUGE}"))
@example(Probe("admin", "GET", "/admin/audit", query=f"page={HUGE}"))
@example(Probe("admin", "GET", "/admin/questions", query=f"difficulty={HUGE}"))
# The poll shortcut holding a live part, with odd ETags.
@example(
    Probe(
        "student",
        "GET",
        "/play/s/{session_open}",
        query="part=live&wait=1",
        headers=(("If-None-Match", '"\xb2"'),),
    )
)
@example(
    Probe(
        "student",
        "GET",
        "/play/s/{session_open}",
        query="part=live&wait=1",
        headers=(("If-None-Match", ETAG_DIGITS),),
    )
)
# Where to go next: a newline (an invalid Location header) and ways off the site.
@example(Probe("anonymous", "POST", "/language", fields=(("next", "/\n/evil.com"), ("zh", "1"))))
@example(Probe("anonymous", "POST", "/language", fields=(("next", "/\t/evil.com"), ("zh", "1"))))
@example(Probe("anonymous", "POST", "/auth/login", fields=(("next", "/\n/x"), *LOG_IN)))
@example(Probe("anonymous", "POST", "/auth/login", fields=(("next", "/\t/evil.com"), *LOG_IN)))
# Uploads: nesting and numbers that the YAML reader cannot take.
@example(
    Probe("admin", "POST", "/admin/upload", fields=(), files=(("files", DEEP_YAML, "deep.yaml"),))
)
@example(
    Probe(
        "admin", "POST", "/admin/upload", fields=(), files=(("files", DEEP_MAPPING_YAML, "d.yaml"),)
    )
)
@example(
    Probe(
        "admin",
        "POST",
        "/admin/upload",
        fields=(),
        files=(("files", BIG_INTEGER_YAML.encode(), "big.yaml"),),
    )
)
@example(
    Probe(
        "admin", "POST", "/admin/upload/confirm", fields=(("files", "[" * 100_000), ("plan", "x"))
    )
)
@example(
    Probe(
        "admin",
        "POST",
        "/admin/upload/confirm",
        fields=(("files", '{"a.yaml": "' + "[" * 900 + "]" * 900 + '"}'), ("plan", "x")),
    )
)
# Found by this suite. Error pages for an expired form that fail themselves:
@example(
    Probe("admin", "POST", "/admin/banks/no-such-bank/questions/new", fields=(), csrf="missing")
)
@example(
    Probe(
        "student",
        "POST",
        "/study/{attempt}/2",
        fields=(("answer", "a"),),
        headers=(("Content-Type", "application/json"),),
        body="urlencoded",
    )
)
# A multipart part without a name (Flask-WTF's CSRF check reads every name).
@example(
    Probe("anonymous", "POST", "/play/", fields=(("", "x"),), csrf="missing", body="multipart")
)
# NUL in text that reaches PostgreSQL.
@example(Probe("anonymous", "GET", "/sources/%00"))
@example(Probe("anonymous", "GET", "/play/s/%00"))
@example(Probe("student", "GET", "/study/%00/results"))
@example(Probe("anonymous", "POST", "/auth/login", fields=(("name", "\x00"), ("password", "x"))))
# A hidden token longer than its column (PostgreSQL refuses it, SQLite stores it).
@example(
    Probe(
        "anonymous",
        "POST",
        "/study/start",
        fields=(("token", "9" * 65), ("banks", "starter"), ("mode", "practice")),
    )
)
@example(
    Probe(
        "teacher",
        "POST",
        "/classroom/new",
        fields=(("token", "9" * 65), ("banks", "starter"), *SESSION_OPTIONS.items()),
    )
)
def test_issue_20_findings(world, probe):
    world.start_over()
    check(world, probe)
