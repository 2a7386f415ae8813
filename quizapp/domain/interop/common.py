"""What every exchange format shares: a bank going out, questions coming in.

Going out, a format is given an :class:`OutgoingBank` (the bank's questions
in our canonical content, and how to name and link their sources) and
returns an :class:`Exported`: the file's bytes and, for each question it
cannot express, a :class:`Skipped` saying why. Nothing is left out silently.

Coming in, a format reads a file into an :class:`Incoming`: question
documents in the bank format (the dicts a bank file lists), each a draft
with no citation, the :class:`~quizapp.domain.problems.Problem` list
(``file:line``) that stops the whole import when not empty, and the
:class:`Unsupported` questions of types we do not have, listed, not dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape

from quizapp.domain.problems import Problem
from quizapp.domain.text import has_chinese

#: Our languages, in the order a bilingual text is written out.
LANGUAGES = ("zh", "en")
#: The two answers to a claim (our verdicts), as every export words them and
#: as an import knows its own claims again.
CLAIM_ANSWERS = {
    "supported": {"zh": "文中有依据", "en": "Supported by the passage"},
    "not_supported": {"zh": "文中无依据", "en": "Not supported by the passage"},
}


# --- going out ----------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A cited passage as an export shows it: the quote, its English gloss,
    who reported it and when, and the address of the passage highlighted in
    its article (the app's source viewer)."""

    exact: str
    gloss: str | None
    outlet: dict  # {zh, en}
    published: str
    url: str | None


@dataclass(frozen=True)
class OutgoingBank:
    """A bank to export: its id, title and description ({zh, en}) and its
    questions as (question id, canonical content) pairs, in bank order."""

    slug: str
    title: dict
    description: dict
    questions: list[tuple[str, dict]]
    #: The citation shown for a question's source entry (``content["sources"][i]``).
    cite: Callable[[dict], Citation]


@dataclass(frozen=True)
class Skipped:
    """A question an export left out, and why (in English, for the CLI and the editor)."""

    key: str
    type: str
    reason: str


@dataclass(frozen=True)
class Exported:
    """A format's file for one bank."""

    data: bytes
    filename: str
    media_type: str
    written: list[str]
    skipped: list[Skipped] = field(default_factory=list)


# --- coming in -----------------------------------------------------------------


@dataclass(frozen=True)
class Unsupported:
    """A question in an imported file that we have no type for, listed with
    where it is and what it was."""

    file: str
    line: int
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.reason}"


#: The fields of an imported question, in the order a bank file writes them.
QUESTION_FIELDS = (
    "id",
    "type",
    "status",
    "difficulty",
    "prompt",
    "choices",
    "answer",
    "explanation",
    "wrong_feedback",
)


def in_bank_order(question: dict) -> dict:
    """An imported question with its fields in :data:`QUESTION_FIELDS` order."""
    return {name: question[name] for name in QUESTION_FIELDS if name in question}


def utf8_text(data: bytes, file: str, incoming: Incoming, hint: str = "") -> str | None:
    """``data`` as text (a leading byte order mark dropped), or None with a
    problem at the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        incoming.fail(file, line, hint or f"the file is not UTF-8 text (byte {error.start + 1})")
        return None


@dataclass
class Incoming:
    """A file read for import: draft question documents (bank format), the
    problems that refuse the file (any at all: nothing is applied), and the
    questions of types we cannot take."""

    questions: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    #: Each question's line in the file, by its position in ``questions``.
    lines: list[int] = field(default_factory=list)

    def fail(self, file: str, line: int, message: str, column: int = 1) -> None:
        self.problems.append(Problem(file, line, column, message))


# --- text ----------------------------------------------------------------------


def both(text: dict | None, sep: str = " / ") -> str:
    """Both languages of a bilingual text as plain text, Chinese first."""
    if not text:
        return ""
    parts = [text[language] for language in LANGUAGES if text.get(language)]
    # The same words in both (a name, a number) are said once.
    return parts[0] if len(set(parts)) == 1 else sep.join(parts)


def multilang(text: dict | None) -> str:
    """A bilingual text as HTML for Moodle's multi-language content filter:
    one ``<span lang class="multilang">`` per language (escaped). Moodle shows
    the reader's language; without the filter, both show."""
    if not text:
        return ""
    parts = [(language, text[language]) for language in LANGUAGES if text.get(language)]
    if len({words for _, words in parts}) == 1:
        return escape(parts[0][1], quote=False)
    return "".join(
        f'<span lang="{language}" class="multilang">{escape(words, quote=False)}</span>'
        for language, words in parts
    )


MULTILANG = re.compile(
    r'<span\s+(?=[^>]*class="multilang")[^>]*lang="(?P<lang>[A-Za-z_-]+)"[^>]*>(?P<text>.*?)</span>'
    r'|<span\s+(?=[^>]*lang="(?P<lang2>[A-Za-z_-]+)")[^>]*class="multilang"[^>]*>(?P<text2>.*?)</span>',
    re.S,
)


def from_multilang(html: str) -> dict:
    """A text from another tool as {zh, en}: Moodle multilang spans give each
    language (zh_cn, zh-Hans... are zh; en_us... en); a plain text is put
    under the language its letters are in (any CJK character: zh)."""
    found: dict[str, str] = {}
    for match in MULTILANG.finditer(html):
        language = (match.group("lang") or match.group("lang2")).lower()
        words = plain_text(
            match.group("text") if match.group("text") is not None else match.group("text2")
        )
        key = "zh" if language.startswith("zh") else "en" if language.startswith("en") else None
        if key and words and key not in found:
            found[key] = words
    if found:
        return found
    words = plain_text(html)
    if not words:
        return {}
    return {"zh" if has_cjk(words) else "en": words}


has_cjk = has_chinese


#: Tags that end a line or a block: a space where they were (other tags go
#: without one, so "<i>this</i>?" stays "this?").
BREAKS = re.compile(r"<(?:br|/?p|/?div|/?li|/?ul|/?ol|/?h\d|/?blockquote|/?tr|/?td)\b[^>]*>", re.I)
TAG = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    """Markup dropped, entities read, white space collapsed."""
    return " ".join(unescape(TAG.sub("", BREAKS.sub(" ", html))).split())


#: The link to a cited passage in its article (the app's source viewer).
READ_IN_ARTICLE = {"zh": "在原文中阅读", "en": "Read it in the article"}


def feedback_text(content: dict, cite: Callable[[dict], Citation], html: bool) -> str:
    """A question's general feedback: the explanation, then each cited
    passage with its gloss, who reported it and the link to it in the
    article. ``html``: as HTML with multilang spans; otherwise plain text
    with both languages."""
    pieces = []
    if html:
        if content.get("explanation"):
            pieces.append(f"<p>{multilang(content['explanation'])}</p>")
        for source in content.get("sources", ()):
            citation = cite(source)
            quote = f'<blockquote lang="zh">{escape(citation.exact, quote=False)}</blockquote>'
            gloss = (
                f'<p lang="en">{escape(citation.gloss, quote=False)}</p>' if citation.gloss else ""
            )
            where = f"{multilang(citation.outlet)}, {escape(citation.published)}"
            words = multilang(READ_IN_ARTICLE)
            link = f' <a href="{escape(citation.url)}">{words}</a>' if citation.url else ""
            pieces.append(f"{quote}{gloss}<p>{where}.{link}</p>")
        return "".join(pieces)
    if content.get("explanation"):
        pieces.append(both(content["explanation"]))
    for source in content.get("sources", ()):
        citation = cite(source)
        line = f"“{citation.exact}”"
        if citation.gloss:
            line += f" ({citation.gloss})"
        line += f" — {both(citation.outlet)}, {citation.published}"
        if citation.url:
            line += f" {citation.url}"
        pieces.append(line)
    return "\n".join(pieces)


# --- identifiers for imported questions ------------------------------------------


def question_id(text: str, taken: set[str], fallback: str = "imported") -> str:
    """A bank-format question id (lower-case ASCII letters, digits and
    hyphens) from a title or prompt, not in ``taken`` (which it joins)."""
    ascii_words = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_words.lower()).strip("-")[:40].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"{fallback}-{slug}" if slug else fallback
    candidate, number = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def choice_id(index: int) -> str:
    """The id of an imported question's choice ``index``: a, b, c, ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < len(letters) else f"z{index}"


def claim_verdicts(texts: list[dict]) -> list[str] | None:
    """The verdict each answer is, when the answers are exactly a claim's two
    (:data:`CLAIM_ANSWERS`, in either language): our own claims come back as claims."""
    if len(texts) != 2:
        return None
    verdicts = []
    for text in texts:
        for verdict, words in CLAIM_ANSWERS.items():
            if any(text.get(language) == words[language] for language in words):
                verdicts.append(verdict)
                break
    return verdicts if sorted(verdicts) == sorted(CLAIM_ANSWERS) else None
