"""Requests for one route, method and role, built from the route itself.

Path segments come from the route's converters (a converter without a
generator fails the test: a new kind of URL argument must be fuzzed too),
query parameters from the names the app reads (its GET forms, the source's
``args.get("...")`` calls and the names below), form fields from the forms
the app renders for that endpoint (:meth:`World.discover`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests.fuzz.inputs import FILES, headers, segments, text, values
from tests.fuzz.probe import Probe, encode_query
from tests.fuzz.world import ARGUMENT, ROLES, World

APP = Path(__file__).resolve().parents[2] / "quizapp"
#: Parameters that routes read or that the poll shortcut looks at.
QUERY_NAMES = ("page", "difficulty", "passage", "position", "next", "part", "wait", "revision")
#: Field names to try on a POST route that no page shows a form for.
FALLBACK_FIELDS = (
    "action",
    "revision",
    "base_version",
    "position",
    "round",
    "answer",
    "confidence",
    "token",
    "seen",
    "note",
    "files",
    "plan",
    "prefer",
    "next",
    "shown",
)
#: Known values of query parameters that no page shows.
QUERY_VALUES = {
    "part": ["live"],
    "wait": ["1"],
    "next": ["/", "/classroom/", "/admin/questions?page=2"],
    "page": ["1", "2"],
    "difficulty": ["1", "2", "3"],
    "widen": ["sentence"],
    "notice": ["recorded", "late"],
}


@cache
def read_names() -> tuple[str, ...]:
    """The query parameters the app's code reads (``args.get("page")`` and alike)."""
    found = set()
    for path in APP.rglob("*.py"):
        source = path.read_text("utf-8")
        found.update(re.findall(r"args\.get(?:list)?\(\s*[\"'](\w+)[\"']", source))
        found.update(re.findall(r"[\"'](\w+)=\w*[\"']", source) if "QUERY_STRING" in source else ())
    return tuple(sorted(found))


def converters(rule: Rule) -> list[tuple[str, str, str]]:
    """``(placeholder, converter, name)`` for each argument of ``rule``."""
    return [
        (match.group(0), match["converter"] or "default", match["name"])
        for match in ARGUMENT.finditer(rule.rule)
    ]


def missing_generators(rule: Rule) -> list[str]:
    """The arguments of ``rule`` whose converter the fuzzer cannot generate."""
    return [
        placeholder
        for placeholder, converter, _name in converters(rule)
        if segments(converter, []) is None
    ]


@st.composite
def probes(draw, world: World, rule: Rule, method: str, role: str):
    """A fuzzed request to ``rule`` with ``method``, from ``role``."""
    path = rule.rule
    for placeholder, converter, name in converters(rule):
        path = path.replace(placeholder, draw(segments(converter, world.known(rule, name))), 1)
    if method == "GET" and draw(st.integers(0, 7)) == 0:
        method = "HEAD"
    query = encode_query(draw(_query(world, rule)))
    post = method not in ("GET", "HEAD")
    fields, files, csrf, body = None, (), "valid", ""
    if post:
        fields, files = draw(_form(world, rule.endpoint))
        csrf = draw(_csrf(world, role))
        # Mostly encoded by the test client, as a browser would.
        body = draw(st.sampled_from(["", "", "", "", "", "urlencoded", "multipart"]))
        if body == "urlencoded" and files:
            body = "multipart"
    return Probe(
        role,
        method,
        path,
        query,
        fields,
        csrf,
        files,
        draw(headers(post)),
        body,
    )


def _query(world: World, rule: Rule):
    forms = world.query_forms.get(rule.endpoint, [])
    own = sorted({name for form in forms for name, _value in form.fields})
    names = sorted({*QUERY_NAMES, *read_names(), *own})
    name = st.one_of(st.sampled_from(own or names), st.sampled_from(names), text(12))

    @st.composite
    def pair(draw):
        chosen = draw(name)
        known = (
            QUERY_VALUES.get(chosen) or world.ids.get(chosen) or world.ids.get(f"{chosen}_id", [])
        )
        value, raw = draw(values(known))
        return chosen, value, raw

    return st.lists(pair(), max_size=4)


@st.composite
def _form(draw, world: World, endpoint: str):
    """Fields (and files) for ``endpoint``: a rendered form with some fields changed,
    dropped or added."""
    forms = world.forms.get(endpoint, [])
    if forms:
        form = draw(st.sampled_from(forms))
        rendered, buttons, file_fields = form.fields, form.buttons, form.files
    else:
        rendered = [(name, "") for name in draw(st.sets(st.sampled_from(FALLBACK_FIELDS)))]
        buttons, file_fields = [], ["files"] if draw(st.integers(0, 5)) == 0 else []
    by_name: dict[str, list[str]] = {}
    for name, value in rendered:
        by_name.setdefault(name, []).append(value)
    # As rendered, with a field or two changed or dropped (about one and a
    # half on average, whatever the form's size): a request valid but for
    # one field reaches the code behind validation.
    what = st.sampled_from(["keep"] * max(1, len(by_name) - 2) + ["change", "change", "drop"])
    fields = []
    for name, rendered_values in by_name.items():
        chosen = draw(what)
        if chosen == "change":
            known = [*rendered_values, *world.ids.get(name, [])]
            fields.append((name, draw(values(known))[0]))
        elif chosen == "drop":
            continue
        elif len(rendered_values) > 1:  # checkboxes: tick some
            ticked = draw(st.lists(st.sampled_from(rendered_values), max_size=3, unique=True))
            fields.extend((name, value) for value in ticked)
        else:
            fields.extend((name, value) for value in rendered_values)
    if buttons and draw(st.integers(0, 3)) > 0:
        fields.append(draw(st.sampled_from(buttons)))
    extra = st.tuples(
        st.one_of(st.sampled_from(FALLBACK_FIELDS), text(12)), values().map(lambda v: v[0])
    )
    fields.extend(draw(st.lists(extra, max_size=2)))
    files = []
    for field in file_fields:
        files.extend((field, content, name) for content, name in draw(FILES))
    return tuple(fields), tuple(files)


def _csrf(world: World, role: str):
    others = [world.roles[other].csrf for other in ROLES if other != role]
    forged = st.one_of(st.sampled_from(["", "x", "²", "None", *others]), text(60))
    kinds = {"valid": st.just("valid"), "missing": st.just("missing"), "forged": forged}
    return st.sampled_from(["valid"] * 4 + ["missing", "forged"]).flatmap(kinds.get)
