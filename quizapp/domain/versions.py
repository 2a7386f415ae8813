"""Readable differences between two versions of a question.

A question's content is flattened into labelled lines (the prompt in each
language, each choice's text and feedback, the answer, each cited
passage...) and the lines that differ are compared character by character,
which suits Chinese (no spaces between words) as well as English. The
history page, the edit-conflict message and restore all show these.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from quizapp.domain.fields import LANGUAGES


@dataclass(frozen=True)
class Field:
    """Which line of a question: ``name`` (e.g. "prompt"), an item and a language."""

    name: str
    item: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Change:
    """One line that differs: its text before and after, and the pieces of the change.

    ``pieces`` are ``(kind, text)`` with kind "same", "removed" or "added";
    read in order they give the old text (same + removed) and the new
    (same + added).
    """

    field: Field
    before: str | None
    after: str | None
    pieces: tuple[tuple[str, str], ...]


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _answer_text(content: dict) -> str:
    answer = content.get("answer")
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, list):
        return " / ".join(str(item) for item in answer)
    if isinstance(answer, dict):
        text = _number(answer["value"])
        if answer.get("tolerance"):
            text += f" ± {_number(answer['tolerance'])}"
        unit = answer.get("unit")
        return text + (f" ({unit['zh']} / {unit['en']})" if unit else "")
    return "" if answer is None else str(answer)


def _bilingual(lines: dict, name: str, value: dict | None, item: str | None = None) -> None:
    for language in LANGUAGES:
        if value and value.get(language):
            lines[Field(name, item, language)] = value[language]


def flatten(content: dict) -> dict[Field, str]:
    """A question's content as labelled lines of text, in reading order."""
    lines: dict[Field, str] = {
        Field("type"): content.get("type", ""),
        Field("status"): content.get("status", ""),
        Field("difficulty"): str(content.get("difficulty", "")),
        Field("tags"): ", ".join(content.get("tags") or ()),
    }
    for name in ("objective", "form"):
        if content.get(name):
            lines[Field(name)] = content[name]
    if content.get("time_limit"):
        lines[Field("time_limit")] = str(content["time_limit"])
    _bilingual(lines, "prompt", content.get("prompt"))
    choices = content.get("choices") or ()
    if choices:
        lines[Field("choice_order")] = ", ".join(choice["id"] for choice in choices)
    for choice in choices:
        _bilingual(lines, "choice", choice.get("text"), choice["id"])
        _bilingual(lines, "choice_feedback", choice.get("feedback"), choice["id"])
    lines[Field("answer")] = _answer_text(content)
    _bilingual(lines, "explanation", content.get("explanation"))
    _bilingual(lines, "wrong_feedback", content.get("wrong_feedback"))
    for number, source in enumerate(content.get("sources") or (), start=1):
        quote = source.get("exact", "")
        quote = f"{source['prefix']}[{quote}" if source.get("prefix") else f"[{quote}"
        quote += f"]{source.get('suffix') or ''}"
        lines[Field("source", str(number))] = f"{source.get('doc', '')}: {quote}"
        if source.get("gloss"):
            lines[Field("gloss", str(number))] = source["gloss"].get("en", "")
    return lines


#: Lines shown whole, old then new: a character diff of "draft" against
#: "published" or of two answer keys would be noise.
WHOLE = {
    "type",
    "status",
    "difficulty",
    "objective",
    "form",
    "time_limit",
    "tags",
    "choice_order",
    "answer",
}

# Latin words and numbers compare whole; every other character (each Chinese
# character, each punctuation mark) on its own.
TOKEN = re.compile(r"[A-Za-z0-9_'’-]+|\s+|.", re.DOTALL)

#: difflib compares every token of one side with every token of the other
#: at worst: two rewritten prompts of 20,000 characters took 12 s. Past this
#: many token pairs, only the part between the longest common beginning and
#: end is compared, and if that is still too long it is shown removed, then
#: added, whole. Real lines are far shorter (a prompt is a sentence or two).
MAX_DIFF_PAIRS = 400_000


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """How many tokens ``a`` and ``b`` share at their start, then at their end."""
    shorter = min(len(a), len(b))
    start = 0
    while start < shorter and a[start] == b[start]:
        start += 1
    end = 0
    while end < shorter - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def _pieces(name: str, before: str, after: str) -> tuple[tuple[str, str], ...]:
    if name in WHOLE:
        return tuple(p for p in (("removed", before), ("added", after)) if p[1])
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    if len(a) * len(b) <= MAX_DIFF_PAIRS:
        return _token_pieces(a, b)
    start, end = _common_ends(a, b)
    a_middle, b_middle = a[start : len(a) - end], b[start : len(b) - end]
    if len(a_middle) * len(b_middle) <= MAX_DIFF_PAIRS:
        middle = _token_pieces(a_middle, b_middle)
    else:
        middle = (("removed", "".join(a_middle)), ("added", "".join(b_middle)))
    ends = (("same", "".join(a[:start])), *middle, ("same", "".join(a[len(a) - end :])))
    return tuple(piece for piece in ends if piece[1])


def _token_pieces(a: list[str], b: list[str]) -> tuple[tuple[str, str], ...]:
    # Spaces are junk: a change of whole sentences is then one removal and
    # one addition, not words interleaved with the spaces they shared.
    matcher = difflib.SequenceMatcher(str.isspace, a, b, autojunk=False)
    pieces: list[tuple[str, str]] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("same", "".join(a[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("removed", "".join(a[a1:a2])))
        if b2 > b1:
            pieces.append(("added", "".join(b[b1:b2])))
    return tuple(pieces)


def changes(before: dict | None, after: dict) -> list[Change]:
    """The lines that differ from ``before`` to ``after`` (everything if ``before`` is None)."""
    return compare(flatten(before) if before is not None else {}, flatten(after))


def bank_lines(fields: dict) -> dict[Field, str]:
    """A bank's own fields (title, description, status) as labelled lines."""
    lines: dict[Field, str] = {Field("status"): fields.get("status", "")}
    _bilingual(lines, "title", fields.get("title"))
    _bilingual(lines, "description", fields.get("description"))
    return lines


def compare(old: dict[Field, str], new: dict[Field, str]) -> list[Change]:
    """The lines that differ between two sets of labelled lines."""
    order = list(new) + [name for name in old if name not in new]
    result = []
    for name in order:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        result.append(Change(name, a, b, _pieces(name.name, a or "", b or "")))
    return result
