"""The CSV template: a bank as a spreadsheet, one question a row.

The file is UTF-8 with a byte order mark (so that Excel shows Chinese
right), comma-separated, quoted as RFC 4180 says (a cell with a comma, a
quote or a line break is put in double quotes; a quote inside is doubled).
The first row names the columns (:data:`TEMPLATE_COLUMNS`); on import they
may come in any order, and a file Excel saved with semicolons (as it does in
many languages) or tabs is read too: the header line tells which. In such
a file a number may have a decimal comma ("0,5"), as Excel writes it there.

Every type fits, so an export skips nothing: choices are numbered 1 to 8
with their feedback beside them, the answer is written in one cell in a way
each type can say, and a numeric answer's tolerance, unit and month (for an
answer that is a day of that month) have columns of their own.

It keeps: both languages of every text, choices and their feedback, the
answer, a numeric answer's tolerance, unit and month, the explanation, the
feedback after a wrong answer, difficulty, objective, tags, time limit and
form. Export only: the status and the cited passages (quote, English gloss,
outlet, date and the link to the passage in the app's source viewer).
It loses, on import: the status (imported questions are drafts), the
citations (cite a passage in the editor before publishing) and the choice
ids (choices become a, b, c... in their order).

A cell that a spreadsheet program would run as a formula (one that starts
with ``=``, ``+``, ``-`` or ``@``, or a tab or carriage return) is written
with an apostrophe in front, as :func:`quizapp.domain.spreadsheet.safe_cell`
does; import takes that apostrophe off again, so text comes back as it was.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import math
import re
from decimal import Decimal

from quizapp.domain.interop.common import (
    Exported,
    Incoming,
    OutgoingBank,
    Skipped,
    Unsupported,
    feedback_text,
    question_id,
    utf8_text,
)
from quizapp.domain.spreadsheet import safe_cell

#: The question types the template can say, in the order the docs list them.
TYPES = ("single", "multiple", "true_false", "claim", "numeric", "short_text")
CHOICE_TYPES = ("single", "multiple")
#: A choice question's number of choices: (fewest, most), as the bank format says.
CHOICE_COUNTS = {"single": (2, 8), "multiple": (3, 8)}
MAX_CHOICES = 8
#: The largest file read, and the most questions (a bank's limit).
MAX_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 1000
#: Time limit of a question in a live session, in seconds (the bank format's range).
TIME_LIMIT_RANGE = (5, 600)
#: The separator of a cell holding several values (answers, choice numbers, tags).
SEPARATOR = ";"


def _columns() -> tuple[tuple[str, str], ...]:
    choices = []
    for n in range(1, MAX_CHOICES + 1):
        choices += [
            (f"choice_{n}_zh", f"Choice {n} in Chinese (single and multiple questions only)."),
            (f"choice_{n}_en", f"Choice {n} in English."),
            (
                f"choice_{n}_feedback_zh",
                f"Optional: shown to whoever picks choice {n} (Chinese).",
            ),
            (
                f"choice_{n}_feedback_en",
                f"Optional: shown to whoever picks choice {n} (English).",
            ),
        ]
    return (
        (
            "id",
            "Optional: the question's id (a-z, 0-9, '-' and '_'); empty: made from the prompt.",
        ),
        ("type", "single, multiple, true_false, claim, numeric or short_text."),
        ("prompt_zh", "The question (for a claim: the statement) in Chinese."),
        ("prompt_en", "The question in English. One language alone is copied to both."),
        *choices,
        (
            "answer",
            "single: the right choice's number (1-8); multiple: the right numbers, like 1;3; "
            "true_false: true or false; claim: supported or not_supported; numeric: the number; "
            "short_text: the accepted answers, like 深度伪造;deepfake "
            r"(write \; for a ';' inside one).",
        ),
        ("tolerance", "Numeric only: how far from the answer a number may be and be right (0)."),
        ("unit_zh", "Numeric only, optional: the unit in Chinese, like 秒."),
        ("unit_en", "Numeric only, optional: the unit in English, like seconds."),
        ("month", "Numeric only, optional: 1-12 when the answer is a day of that month."),
        ("explanation_zh", "Shown after answering, in Chinese: why the answer is right."),
        ("explanation_en", "Shown after answering, in English."),
        ("wrong_feedback_zh", "Optional, not for choice questions: shown after a wrong answer."),
        ("wrong_feedback_en", "Optional: the same in English."),
        ("difficulty", "1 recall, 2 apply, 3 analyse (empty: 1)."),
        ("objective", "Optional: the learning objective's id (questions/_objectives.yaml)."),
        ("tags", "Optional: tag ids from questions/_tags.yaml, like sora-limits;physics."),
        ("time_limit", "Optional: seconds for this question in a live session, 5-600."),
        ("form", "Optional: A or B, the form of the before/after check it belongs to."),
        ("status", "Export only (ignored on import, where every question is a draft)."),
        (
            "source",
            "Export only: the cited passages with outlet, date and link (ignored on import: "
            "cite a passage in the editor).",
        ),
    )


#: The columns, in the order an export writes them, each with what it holds.
TEMPLATE_COLUMNS: tuple[tuple[str, str], ...] = _columns()
COLUMN_NAMES = tuple(name for name, _ in TEMPLATE_COLUMNS)
#: Written on export for the reader, ignored on import.
EXPORT_ONLY = ("status", "source")
IMPORT_COLUMNS = tuple(name for name in COLUMN_NAMES if name not in EXPORT_ONLY)

IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INTEGER = re.compile(r"[+-]?[0-9]+")
#: A number with a decimal comma ("0,5", "-12,75"), as Excel writes numbers in
#: the languages whose files it separates with semicolons. Read as a number
#: only in such a file: in a comma-separated one the cell could not hold it
#: unquoted, and "1,500" there is more likely a thousand and a half.
DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
#: Control characters no text of ours holds (tab and line breaks are fine).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRUE_FALSE = {"true": True, "false": False, "对": True, "错": False}
VERDICTS = {
    "supported": "supported",
    "not_supported": "not_supported",
    "文中有依据": "supported",
    "文中无依据": "not_supported",
    "有依据": "supported",
    "无依据": "not_supported",
}


# --- cells ------------------------------------------------------------------------


def _needs_apostrophe(text: str) -> bool:
    """Whether a cell is written with an apostrophe in front: a spreadsheet
    would read it as a formula, or it already starts with apostrophes before
    one (so that import, taking one off, gives the text back)."""
    if safe_cell(text) != text:
        return True
    return text.startswith("'") and _needs_apostrophe(text[1:])


def neutralise(text: str) -> str:
    """A cell as written: never a formula in a spreadsheet program."""
    return "'" + text if _needs_apostrophe(text) else text


def restore(text: str) -> str:
    """A cell as it was before :func:`neutralise`."""
    if text.startswith("'") and _needs_apostrophe(text[1:]):
        return text[1:]
    return text


def _number_text(number: int | float) -> str:
    """A number as a person writes it: no exponent, the shortest digits that
    read back as the same number."""
    if isinstance(number, int):
        return str(number)
    return format(Decimal(repr(number)), "f")


def _join(items: list[str]) -> str:
    r"""Accepted answers in one cell: ``;`` between them, ``\;`` for a ``;``
    inside one and ``\\`` for a backslash."""
    return SEPARATOR.join(
        item.replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR) for item in items
    )


def _split(cell: str) -> list[str]:
    r"""The accepted answers of a cell (see :func:`_join`); a backslash before
    anything but ``;`` or ``\`` is kept as it is."""
    items, current, i = [], [], 0
    while i < len(cell):
        char = cell[i]
        if char == "\\" and i + 1 < len(cell) and cell[i + 1] in (SEPARATOR, "\\"):
            current.append(cell[i + 1])
            i += 2
            continue
        if char == SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


# --- export --------------------------------------------------------------------------


def _row(content: dict, key: str, bank: OutgoingBank) -> dict[str, str]:
    cells: dict[str, str] = {
        "id": key,
        "type": content["type"],
        "status": content.get("status", "published"),
        "difficulty": str(content.get("difficulty", 1)),
        "objective": content.get("objective", ""),
        "tags": SEPARATOR.join(content.get("tags") or ()),
        "form": content.get("form", ""),
    }
    if "time_limit" in content:
        cells["time_limit"] = str(content["time_limit"])
    for base in ("prompt", "explanation", "wrong_feedback"):
        for language, words in (content.get(base) or {}).items():
            cells[f"{base}_{language}"] = words
    answer = content["answer"]
    kind = content["type"]
    if kind in CHOICE_TYPES:
        ids = [choice["id"] for choice in content["choices"]]
        for n, choice in enumerate(content["choices"], start=1):
            for language, words in choice["text"].items():
                cells[f"choice_{n}_{language}"] = words
            for language, words in (choice.get("feedback") or {}).items():
                cells[f"choice_{n}_feedback_{language}"] = words
        picked = [answer] if kind == "single" else answer
        cells["answer"] = SEPARATOR.join(str(ids.index(choice) + 1) for choice in picked)
    elif kind == "true_false":
        cells["answer"] = "true" if answer else "false"
    elif kind == "claim":
        cells["answer"] = answer
    elif kind == "numeric":
        cells["answer"] = _number_text(answer["value"])
        cells["tolerance"] = _number_text(answer.get("tolerance", 0))
        for language, words in (answer.get("unit") or {}).items():
            cells[f"unit_{language}"] = words
        if "month" in answer:
            cells["month"] = str(answer["month"])
    else:
        cells["answer"] = _join(answer)
    if content.get("sources"):
        cells["source"] = feedback_text({"sources": content["sources"]}, bank.cite, html=False)
    return cells


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write(bank: OutgoingBank) -> Exported:
    """The bank as a CSV file, one question a row (see the module's docstring)."""
    rows, written, skipped = [list(COLUMN_NAMES)], [], []
    for key, content in bank.questions:
        if content.get("type") not in TYPES:
            reason = f"the CSV template has no columns for {content.get('type')} questions"
            skipped.append(Skipped(key, str(content.get("type")), reason))
            continue
        cells = _row(content, key, bank)
        rows.append([cells.get(name, "") for name in COLUMN_NAMES])
        written.append(key)
    return Exported(
        _csv_bytes(rows), f"{bank.slug}.csv", "text/csv; charset=utf-8", written, skipped
    )


#: The template's two example rows: a choice question and a written answer.
EXAMPLES = (
    {
        "id": "example-bite-mark",
        "type": "single",
        "prompt_zh": "据2024年2月的报道，OpenAI 举了哪个例子，说明 Sora 可能弄错因果关系？",
        "prompt_en": (
            "As reported in February 2024, which example did OpenAI give of Sora "
            "getting cause and effect wrong?"
        ),
        "choice_1_zh": "咬过的饼干上没有咬痕",
        "choice_1_en": "A bitten cookie shows no bite mark",
        "choice_2_zh": "汽车的影子跟着汽车移动",
        "choice_2_en": "A car's shadow moves with the car",
        "choice_2_feedback_zh": "这是 Sora 做对的地方，不是它的缺陷。",
        "choice_2_feedback_en": "That is something Sora got right, not a flaw.",
        "answer": "1",
        "explanation_zh": (
            "OpenAI 自己承认 Sora 可能弄错因果关系，咬过却没有咬痕的饼干就是它举的例子。"
        ),
        "explanation_en": (
            "OpenAI itself says Sora may get cause and effect wrong. "
            "A cookie with no bite mark after a bite is its example."
        ),
        "difficulty": "1",
        "objective": "ai-video-failures",
        "tags": "sora-limits;cause-and-effect",
    },
    {
        "id": "example-deepfake-name",
        "type": "short_text",
        "prompt_zh": "用人工智能把一个人的脸换到另一个人身上的假视频，通常叫什么？",
        "prompt_en": (
            "What do we usually call a fake video in which AI puts one person's face "
            "on someone else?"
        ),
        "answer": "深度伪造;deepfake;AI换脸",
        "explanation_zh": "这类假视频叫“深度伪造”。知道它的名字，才能查到更多关于它的报道。",
        "explanation_en": (
            "Such a fake video is called a deepfake. Knowing the name helps you "
            "find more reports about it."
        ),
        "wrong_feedback_zh": "想一想报道里反复出现的那个词：深度伪造。",
        "wrong_feedback_en": "Think of the word the reports use again and again: deepfake.",
        "difficulty": "1",
        "objective": "manipulation-patterns",
        "tags": "deepfake-cases",
    },
)


def template() -> bytes:
    """An empty template to fill in: the header row (the columns an import
    reads) and two example rows, a choice question and a written answer."""
    rows = [list(IMPORT_COLUMNS)]
    rows += [[example.get(name, "") for name in IMPORT_COLUMNS] for example in EXAMPLES]
    return _csv_bytes(rows)


# --- import --------------------------------------------------------------------------


def _header_name(cell: str) -> str:
    """A header cell as a column name: case, surrounding spaces and a stray
    byte order mark ignored; spaces and hyphens read as ``_``."""
    name = cell.replace("\ufeff", "").strip().casefold()
    return re.sub(r"[\s-]+", "_", name)


def _delimiter(text: str) -> str:
    """The separator the header line uses: a comma, or the semicolon Excel
    writes in many languages, or a tab."""
    header = re.split(r"[\r\n]", text, maxsplit=1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


class _Row:
    """One row being read: its cells by column name, and where problems go."""

    def __init__(
        self,
        file: str,
        line: int,
        cells: dict,
        where: dict,
        incoming: Incoming,
        decimal_comma: bool = False,
    ):
        self.file, self.line, self.cells, self.where = file, line, cells, where
        self.incoming = incoming
        self.decimal_comma = decimal_comma
        self.failed = False

    def fail(self, column: str | None, message: str) -> None:
        self.failed = True
        where = self.where.get(column, 1) if column else 1
        prefix = f"{column}: " if column else ""
        self.incoming.fail(self.file, self.line, prefix + message, where)

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def bilingual(self, base: str) -> dict | None:
        """``{base}_zh`` and ``{base}_en``; one language alone stands for both."""
        zh, en = self.get(f"{base}_zh"), self.get(f"{base}_en")
        if not zh and not en:
            return None
        return {"zh": zh or en, "en": en or zh}

    def number(self, column: str) -> int | float | None:
        text = self.get(column)
        if self.decimal_comma and DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")
        if not NUMBER.fullmatch(text):
            self.fail(column, f"'{self.get(column)}' is not a number (write it like 12 or 0.5)")
            return None
        value = int(text) if INTEGER.fullmatch(text) else float(text)
        if not math.isfinite(value):
            self.fail(column, f"'{text}' is too large")
            return None
        return value

    def integer(self, column: str, low: int, high: int) -> int | None:
        text = self.get(column)
        if not INTEGER.fullmatch(text) or not low <= int(text) <= high:
            self.fail(column, f"'{text}' is not a whole number from {low} to {high}")
            return None
        return int(text)


def _choices(row: _Row, kind: str) -> list[dict] | None:
    """The choices of a choice question, numbered as the file numbers them."""
    found = []
    for n in range(1, MAX_CHOICES + 1):
        text = row.bilingual(f"choice_{n}")
        feedback = row.bilingual(f"choice_{n}_feedback")
        if text is None:
            if feedback is not None:
                row.fail(f"choice_{n}_feedback_en", f"feedback for choice {n}, which is empty")
            found.append(None)
            continue
        choice = {"id": chr(ord("a") + n - 1), "text": text}
        if feedback is not None:
            choice["feedback"] = feedback
        found.append(choice)
    while found and found[-1] is None:
        found.pop()
    if kind not in CHOICE_TYPES:
        if found:
            row.fail(f"choice_{len(found)}_zh", f"{kind} questions have no choices")
        return None
    if None in found:
        gap = found.index(None) + 1
        row.fail(f"choice_{gap}_zh", f"choice {gap} is empty but a later one is not")
        return None
    fewest, most = CHOICE_COUNTS[kind]
    if not fewest <= len(found) <= most:
        row.fail(None, f"a {kind} question needs {fewest} to {most} choices, not {len(found)}")
        return None
    return found


def _picked(row: _Row, choices: list[dict]) -> list[str] | None:
    """The choice ids an answer cell names by number (or letter)."""
    tokens = [token for token in re.split(r"[;,\s]+", row.get("answer")) if token]
    ids = []
    for token in tokens:
        if token.isdecimal() and 1 <= int(token) <= len(choices):
            ids.append(choices[int(token) - 1]["id"])
        elif len(token) == 1 and "a" <= token.casefold() < chr(ord("a") + len(choices)):
            ids.append(token.casefold())
        else:
            row.fail("answer", f"'{token}' is not a choice number from 1 to {len(choices)}")
            return None
    if len(set(ids)) != len(ids):
        row.fail("answer", "names a choice twice")
        return None
    return ids


def _answer(row: _Row, kind: str, choices: list[dict] | None):
    cell = row.get("answer")
    if not cell:
        row.fail("answer", "empty: every question needs its answer")
        return None
    if kind in CHOICE_TYPES:
        if choices is None:
            return None
        picked = _picked(row, choices)
        if picked is None:
            return None
        if kind == "single":
            if len(picked) != 1:
                row.fail("answer", "a single question has one right choice (use multiple)")
                return None
            return picked[0]
        if len(picked) == len(choices):
            row.fail("answer", "every choice is right: a learner could not go wrong")
            return None
        return [choice["id"] for choice in choices if choice["id"] in picked]
    if kind == "true_false":
        if cell.casefold() not in TRUE_FALSE:
            row.fail("answer", f"'{cell}' is not true or false")
            return None
        return TRUE_FALSE[cell.casefold()]
    if kind == "claim":
        verdict = VERDICTS.get(_header_name(cell))
        if verdict is None:
            row.fail("answer", f"'{cell}' is not supported or not_supported")
        return verdict
    if kind == "numeric":
        value = row.number("answer")
        tolerance = row.number("tolerance") if row.get("tolerance") else 0
        if tolerance is not None and tolerance < 0:
            row.fail("tolerance", "must not be negative")
            tolerance = None
        answer = {"value": value, "tolerance": tolerance}
        unit = row.bilingual("unit")
        if unit is not None:
            answer["unit"] = unit
        if row.get("month"):
            answer["month"] = row.integer("month", 1, 12)
        return None if None in answer.values() else answer
    accepted = _split(cell)
    if len({item.casefold() for item in accepted}) != len(accepted):
        row.fail("answer", "lists the same accepted answer twice")
        return None
    if not accepted:
        row.fail("answer", "empty: list the accepted answers, like 深度伪造;deepfake")
        return None
    return accepted


def _tags(row: _Row) -> list[str] | None:
    tags = [tag.strip() for tag in re.split(r"[;,]", row.get("tags")) if tag.strip()]
    for tag in tags:
        if not IDENTIFIER.fullmatch(tag):
            row.fail("tags", f"'{tag}' is not a tag id (a-z, 0-9, '-' and '_')")
            return None
    if len(set(tags)) != len(tags):
        row.fail("tags", "lists a tag twice")
        return None
    return tags


def _question(row: _Row, kind: str) -> dict:
    """A draft question from a row of a known type (``row.failed`` if not valid)."""
    question: dict = {"id": row.get("id"), "type": kind, "status": "draft"}
    question["difficulty"] = row.integer("difficulty", 1, 3) if row.get("difficulty") else 1
    if row.get("objective"):
        if IDENTIFIER.fullmatch(row.get("objective")):
            question["objective"] = row.get("objective")
        else:
            row.fail("objective", f"'{row.get('objective')}' is not an objective id")
    if row.get("form"):
        if row.get("form").upper() in ("A", "B"):
            question["form"] = row.get("form").upper()
        else:
            row.fail("form", f"'{row.get('form')}' is not A or B")
    if row.get("time_limit"):
        question["time_limit"] = row.integer("time_limit", *TIME_LIMIT_RANGE)
    tags = _tags(row)
    if tags:
        question["tags"] = tags
    prompt = row.bilingual("prompt")
    if prompt is None:
        row.fail("prompt_zh", "empty: write the question in prompt_zh or prompt_en")
    question["prompt"] = prompt
    choices = _choices(row, kind)
    if choices:
        question["choices"] = choices
    if kind != "numeric":
        for column in ("tolerance", "unit_zh", "unit_en", "month"):
            if row.get(column):
                row.fail(column, "only for numeric questions")
    question["answer"] = _answer(row, kind, choices)
    explanation = row.bilingual("explanation")
    if explanation is not None:
        question["explanation"] = explanation
    wrong_feedback = row.bilingual("wrong_feedback")
    if wrong_feedback is not None:
        if kind in CHOICE_TYPES:
            row.fail(
                "wrong_feedback_zh",
                "choice questions give feedback on each choice (choice_N_feedback) instead",
            )
        question["wrong_feedback"] = wrong_feedback
    return question


def _header(header: list[str], file: str, incoming: Incoming) -> dict[int, str] | None:
    """The header row as {cell index: column name}, or None with its problems."""
    names = {index: _header_name(cell) for index, cell in enumerate(header)}
    names = {index: name for index, name in names.items() if name}
    unknown = [name for name in names.values() if name not in COLUMN_NAMES]
    if unknown:
        described = []
        for name in unknown[:10]:
            hint = difflib.get_close_matches(name, COLUMN_NAMES, n=1)
            described.append(f"'{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        if len(unknown) > 10:
            described.append(f"and {len(unknown) - 10} more")
        incoming.fail(file, 1, f"unknown column(s): {', '.join(described)}")
    seen: set[str] = set()
    twice: set[str] = set()
    for name in names.values():
        (twice if name in seen else seen).add(name)
    if twice:
        incoming.fail(file, 1, f"column(s) named twice: {', '.join(sorted(twice))}")
    missing = [name for name in ("type", "answer") if name not in seen]
    if "prompt_zh" not in seen and "prompt_en" not in seen:
        missing.append("prompt_zh or prompt_en")
    if missing:
        incoming.fail(file, 1, f"missing column(s): {', '.join(missing)}")
    return None if unknown or twice or missing else names


def _decode(data: bytes, file: str, incoming: Incoming) -> str | None:
    if len(data) > MAX_BYTES:
        incoming.fail(file, 1, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return None
    text = utf8_text(
        data, file, incoming, "not UTF-8 text: in Excel, save it as 'CSV UTF-8 (Comma delimited)'"
    )
    if text is None:
        return None
    bad = CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        incoming.fail(file, line, f"a control character (U+{ord(bad.group()):04X}) in the text")
        return None
    return text


def _rows(text: str, file: str, incoming: Incoming):
    """(line where the row starts, cells) for each row; a quoting error ends it
    with a problem."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        if "end of data" in str(error):
            message = 'a quoted cell on this row is never closed (a missing ")'
            incoming.fail(file, start, message)
        else:
            incoming.fail(file, max(reader.line_num, start), f"badly quoted cell: {error}")


def read(data: bytes, file: str) -> Incoming:
    """Draft questions from a CSV file in the template's columns."""
    incoming = Incoming()
    text = _decode(data, file, incoming)
    if text is None:
        return incoming
    rows = _rows(text, file, incoming)
    first = next(rows, None)
    if first is None:
        if not incoming.problems:
            incoming.fail(file, 1, "the file is empty: the first row names the columns")
        return incoming
    names = _header(first[1], file, incoming)
    if names is None:
        return incoming
    where = {name: index + 1 for index, name in names.items()}
    decimal_comma = _delimiter(text) != ","
    found: list[tuple[int, dict]] = []
    for line, cells in rows:
        values = [restore(cell.strip()).strip() for cell in cells]
        if not any(values):
            continue
        if len(found) >= MAX_QUESTIONS:
            incoming.fail(file, line, f"more than {MAX_QUESTIONS} questions: a bank's limit")
            break
        stray = [
            index + 1
            for index, value in enumerate(values)
            if value and index not in names and index >= len(first[1])
        ]
        named = {names[index]: value for index, value in enumerate(values) if index in names}
        row = _Row(file, line, named, where, incoming, decimal_comma)
        if stray:
            row.fail(None, f"cell {stray[0]} is beyond the last column of the header")
        unnamed = [index + 1 for index, value in enumerate(values) if value and index not in names]
        if unnamed and not stray:
            row.fail(None, f"cell {unnamed[0]} is in a column with no name in the header")
        kind = re.sub(r"[\s/-]+", "_", row.get("type").casefold())
        if not kind:
            row.fail("type", f"empty: one of {', '.join(TYPES)}")
            continue
        if kind not in TYPES:
            reason = f"quizapp has no such question type (it has {', '.join(TYPES)})"
            incoming.unsupported.append(Unsupported(file, line, row.get("type"), reason))
            continue
        question = _question(row, kind)
        if not row.failed:
            found.append((line, question))
    _name(found, file, incoming, where.get("id", 1))
    return incoming


def _name(found: list[tuple[int, dict]], file: str, incoming: Incoming, column: int) -> None:
    """Ids: a row's own id (valid, and not another row's), else one made
    from the prompt; the questions join ``incoming`` in file order."""
    taken: set[str] = set()
    first_line: dict[str, int] = {}
    for line, question in found:
        given = question["id"]
        if not given:
            continue
        if not IDENTIFIER.fullmatch(given):
            message = f"id: '{given}' is not a valid id (use a-z, 0-9, '-' and '_', at most 64)"
            incoming.fail(file, line, message, column)
        elif given in first_line:
            message = f"id: '{given}' is also the id of the question at line {first_line[given]}"
            incoming.fail(file, line, message, column)
        else:
            first_line[given] = line
            taken.add(given)
    for line, question in found:
        if not question["id"]:
            question["id"] = question_id(question["prompt"]["en"], taken)
        incoming.questions.append(question)
        incoming.lines.append(line)
