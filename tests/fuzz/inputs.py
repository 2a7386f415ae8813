"""Hypothesis strategies for hostile HTTP input: path segments, values, headers, files.

Each strategy mixes existing values (so a request reaches the code behind
the lookups) with the kinds of text that broke the app before (issue 20):
numbers beyond 2**63, digits that ``str.isdigit`` accepts and ``int``
refuses ("²") or reads ("٣", "５"), control characters, %-encodings,
targets that leave the site, nesting and sizes above the forms' limits.
"""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

from hypothesis import strategies as st

from tests.conftest import dump, make_bank
from tests.strategies import banks

HUGE = (
    str(2**63),  # one above PostgreSQL's BIGINT, SQLite's INTEGER
    str(2**63 - 1),
    str(2**31),  # one above PostgreSQL's INTEGER
    str(2**64),
    "9" * 5000,  # above Python's 4,300-digit int() limit
    "1" + "0" * 4300,
)
#: Digits to ``str.isdigit`` that ``int`` refuses, and digits ``int`` reads (not ASCII).
UNICODE_DIGITS = ("²", "³", "¹²", "⁰", "①", "٣", "５", "𝟓", "१२", "٣٣", "߁", "๓")
NEGATIVE = ("-1", "-0", "-" + str(2**63 + 1), "−1")
ALMOST_NUMBERS = (
    "",
    " ",
    "0",
    "00",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "1e3",
    "0x1f",
    "1_000",
    "NaN",
    "inf",
    "None",
    "null",
    "true",
    "[]",
    "{}",
)
#: ``next`` targets: each leaves the site in some browser unless refused.
REDIRECTS = (
    "//evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    " //evil.com",
    "\x00//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "\\/evil.com",
    "/%09/evil.com",
    "/%2F/evil.com",
    "https://evil.com",
    "http:evil.com",
    "https:/evil.com",
    "javascript:alert(1)",
    "//evil.com@localhost",
    "/\u3000/evil.com",
    "/\x0b/evil.com",
    "/next\nSet-Cookie: x=1",
)
#: %-sequences sent as they are (not encoded again): bad, control, overlong.
RAW_PERCENT = (
    "%",
    "%2",
    "%zz",
    "%00",
    "%09",
    "%0a",
    "%0d%0a",
    "%ff",
    "%c0%ae",
    "%2e%2e",
    "%2F",
    "%5C",
    "%E2%80%AE",
    "%25",
    "%u0041",
)
NESTED = ("[[[", "{{{", "files=[[[", "a[b][c]", "[" * 2000, "{" * 2000, '{"a":' * 900)


def _repeat(characters: str, low: int, high: int):
    """Text of ``low`` to ``high`` characters, built without drawing each one."""
    return st.builds(
        lambda char, count: (char * count)[:count],
        st.sampled_from(characters),
        st.integers(low, high),
    )


def text(max_size: int = 40):
    """Any text a browser can send (no lone surrogates: they cannot be UTF-8)."""
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size)


CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=0x20) | st.just("\x7f"), max_size=8)
#: Above the forms' 20,000-character limit (and the old closest-passage search's patience).
LONG = _repeat(["a", "饼", "'", "\n", "9", "ab ", "\u202e"], 20_000, 25_000)
_NUMBER_KINDS = {
    "unicode": st.sampled_from(UNICODE_DIGITS),
    "huge": st.sampled_from(HUGE),
    "almost": st.sampled_from(NEGATIVE + ALMOST_NUMBERS),
    "any": st.integers(-(2**70), 2**70).map(str),
    "small": st.integers(0, 100).map(str),
}
#: Mostly the kinds that broke the app (issue 20), whatever the number of values in each.
NUMBERS = st.sampled_from(
    ["unicode"] * 3 + ["huge"] * 3 + ["almost"] * 2 + ["any", "small"]
).flatmap(_NUMBER_KINDS.get)
ODD = st.one_of(st.sampled_from(REDIRECTS), st.sampled_from(NESTED), LONG)
KINDS = ("known", "known", "known", "number", "number", "number", "text", "odd", "odd", "raw")
#: For a field or parameter whose values are numbers.
NUMERIC_KINDS = ("known", "known", *["number"] * 10, "text", "odd", "raw")


@st.composite
def values(draw, known: list[str] | tuple[str, ...] = ()):
    """A value of a query parameter or form field; ``known`` ones (existing ids, the
    field's own value) come often, and where they are numbers, mostly odd numbers.
    Returns ``(text, raw)``: raw text is sent as it is."""
    numeric = bool(known) and all(value.isascii() and value.isdigit() for value in known)
    kind = draw(st.sampled_from(NUMERIC_KINDS if numeric else KINDS))
    if kind == "known" and known:
        return draw(st.sampled_from(list(known))), False
    if kind in ("number", "known"):
        return draw(NUMBERS), False
    if kind == "text":
        return draw(st.one_of(text(), CONTROL)), False
    if kind == "raw":
        prefix = draw(st.sampled_from(["", "1", "/", *known[:2]]))
        return prefix + draw(st.sampled_from(RAW_PERCENT)), True
    return draw(ODD), False


def segments(converter: str, known: list[str]):
    """An encoded path segment for a ``<converter:...>`` argument, or None: no generator."""
    odd = st.one_of(
        st.sampled_from(HUGE),
        st.sampled_from(UNICODE_DIGITS),
        st.sampled_from(NEGATIVE + ALMOST_NUMBERS[1:]),
        st.integers(0, 2**80).map(str),
        text(30).filter(bool),
        CONTROL.filter(bool),
        _repeat(["a", "9", "饼"], 2_000, 6_000),
    ).map(lambda s: quote(s, safe=""))
    if converter in ("int", "default", "string"):
        special = st.sampled_from(RAW_PERCENT)
    elif converter == "path":
        special = st.sampled_from(
            [
                "../../etc/passwd",
                "..%2f..%2fsecret_key",
                "%2e%2e/%2e%2e/x",
                "./style.css",
                "a/" * 50,
            ]
        )
    else:
        return None
    # Mostly existing values: the other arguments and the form are fuzzed too.
    kinds = {"existing": st.sampled_from(known or ["1"]), "odd": odd, "special": special}
    return st.sampled_from(["existing"] * 4 + ["odd"] * 2 + ["special"]).flatmap(kinds.get)


ETAGS = st.one_of(
    st.sampled_from(
        [
            '"\xb2"',
            '"' + "9" * 5000 + '"',
            '"' + str(2**63) + '"',
            '"-1"',
            '"٣"',
            'W/"1"',
            "*",
            '"1", "2"',
            '""',
            '"',
            "1",
            "W/",
        ]
    ),
    st.integers(0, 30).map(lambda n: f'"{n}"'),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30),
)
LATIN1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain",
        "application/xml",
        "",
        "garbage/\xb2",
    ]
)


@st.composite
def headers(draw, post: bool) -> tuple[tuple[str, str], ...]:
    """Request headers the app reads (conditional requests, content negotiation, the
    body's type), each present about half the time."""
    chosen = []
    if draw(st.booleans()):
        chosen.append(("If-None-Match", draw(ETAGS)))
    if draw(st.booleans()):
        accept = ["*/*", "application/json", "text/html;q=0", "image/*", "text/csv"]
        chosen.append(("Accept", draw(st.one_of(st.sampled_from(accept), LATIN1))))
    if draw(st.booleans()):
        languages = ["zh", "zh-Hans-CN", "en", "xx", "*", "en;q=abc", "zh;q=2", "de,fr;q=0.5"]
        chosen.append(("Accept-Language", draw(st.one_of(st.sampled_from(languages), LATIN1))))
    if post and draw(st.integers(0, 3)) == 0:  # most bodies are sent as a browser would
        chosen.append(("Content-Type", draw(CONTENT_TYPES)))
    if draw(st.integers(0, 9)) == 0:
        chosen.append(("User-Agent", draw(LATIN1)))
    return tuple(chosen)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DEEP_YAML = ("[" * 900 + "]" * 900).encode()
DEEP_MAPPING_YAML = "".join(f"{' ' * i}k:\n" for i in range(900)).encode() + b" " * 900 + b"v\n"
BIG_INTEGER_YAML = dump(make_bank(slug="big-number")).replace(
    "difficulty: 1", "difficulty: " + "9" * 5000
)
FILE_CONTENTS = st.one_of(
    st.sampled_from(
        [
            DEEP_YAML,
            DEEP_MAPPING_YAML,
            BIG_INTEGER_YAML.encode(),
            b"",
            b"\xff\xfe\x00",
            b"bank: [unclosed",
            b"- &a [*a]",
            b"a: &a\n  b: *a\n",
            _zip({"bank.yaml": dump(make_bank(slug="zipped")).encode()}),
            _zip({"deep.yaml": DEEP_YAML}),
            b"PK\x03\x04garbage",
        ]
    ),
    banks(slug="fuzz-bank").map(lambda bank: dump(bank).encode()),
    st.binary(max_size=200),
)
FILE_NAMES = st.one_of(
    st.sampled_from(["bank.yaml", "bank.yml", "banks.zip", "", "../../etc/passwd.yaml", "x.txt"]),
    text(20).map(lambda name: name + ".yaml"),
)
FILES = st.lists(st.tuples(FILE_CONTENTS, FILE_NAMES), max_size=3)
