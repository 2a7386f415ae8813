"""Kahoot's quiz spreadsheet template (.xlsx): import only.

Kahoot's "Quiz template" workbook starts with a few rows of title and
instructions, then a header row ("Question - max 120 characters",
"Answer 1 - max 75 characters" to "Answer 4", "Time limit (sec)",
"Correct answer(s) - choose at least one") and one question a row, until
the first row with no question. The header row is found by its words, not
by its place, and so are its columns.

It keeps: the question, the answers, which of them are right, and the time
limit (our ``time_limit``, 5 to 600 seconds). One right answer makes a
``single`` question, several a ``multiple`` one, and two answers "True" and
"False" (in any case) a ``true_false`` one. Kahoot's points for speed give
way to our grading: right or wrong, and for several right answers each
right pick counts 1/n and each wrong pick takes 1/n away, never below 0.

It loses: nothing it has, but it has little: no explanation, no feedback,
no second language (the text is put in both ``zh`` and ``en``, to be
translated in the editor), no citation (every question comes in as a draft
to be cited before it is published), no pictures. A question whose every
answer is marked correct cannot be graded here (no one could go wrong):
it is a problem to fix in the file.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile

import openpyxl

from quizapp.domain.interop.common import Incoming, question_id

#: The largest workbook read, as uploaded and once unpacked (a zip may hide
#: a lot in a little).
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
#: How far down the sheet (and across it) the header row is looked for.
HEADER_ROWS = 50
MAX_COLUMNS = 40
#: A bank's most questions.
MAX_QUESTIONS = 1000
#: A question's own time in a live session, in seconds (the bank format's range).
TIME_LIMIT_RANGE = (5, 600)
#: Two answers that make a question true/false, by their folded text.
TRUE_FALSE = ({"true": True, "false": False}, {"对": True, "错": False})

QUESTION = re.compile(r"question\s*(?:$|[-–—(:])")
ANSWER = re.compile(r"answer\s*(\d{1,2})\b")
TIME_LIMIT = re.compile(r"time\s*limit")
CORRECT = re.compile(r"correct\s*answer")
SECONDS = re.compile(r"(\d{1,6})\s*(?:s|sec|secs|seconds?)?")


class _Refused(Exception):
    """A question row that cannot be imported: the message and its column."""

    def __init__(self, column: int, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _text(value) -> str:
    """A cell as text: numbers without a needless ".0", Excel's TRUE/FALSE as words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _columns(row: tuple) -> dict | None:
    """The header's columns, if ``row`` is the header: the question, the
    answers by number, the time limit and the correct answers."""
    found: dict = {"answers": {}}
    for index, value in enumerate(row):
        if not isinstance(value, str):
            continue
        words = " ".join(value.split()).casefold()
        answer = ANSWER.match(words)
        if QUESTION.match(words):
            found.setdefault("question", index)
        elif answer:
            found["answers"].setdefault(int(answer.group(1)), index)
        elif TIME_LIMIT.match(words):
            found.setdefault("time", index)
        elif CORRECT.match(words):
            found.setdefault("correct", index)
    if "question" in found and "correct" in found and len(found["answers"]) >= 2:
        return found
    return None


def _correct(value, column: int) -> list[int]:
    """The numbers of the right answers: 2, or text like "1,3"."""
    if value is None or _text(value) == "":
        raise _Refused(column, "no correct answer: write the right answer's number, like 1 or 1,3")
    if isinstance(value, float) and not value.is_integer():
        # "1,3" typed where a comma is the decimal point becomes 1.3.
        raise _Refused(
            column,
            f"read as the number {value}: write the answer numbers as text, like 1,3",
        )
    numbers = []
    for token in re.split(r"[,;\s]+", _text(value)):
        if not token:
            continue
        if not token.isdecimal():
            raise _Refused(column, f"'{token}' is not an answer number")
        if int(token) not in numbers:
            numbers.append(int(token))
    if not numbers:
        raise _Refused(column, "no correct answer: write the right answer's number, like 1 or 1,3")
    return numbers


def _time_limit(value, column: int) -> int | None:
    text = _text(value)
    if not text:
        return None
    match = SECONDS.fullmatch(text.casefold())
    low, high = TIME_LIMIT_RANGE
    if not match or not low <= int(match.group(1)) <= high:
        raise _Refused(
            column, f"time limit '{text}' is not a number of seconds from {low} to {high}"
        )
    return int(match.group(1))


def _question(row: tuple, columns: dict, taken: set[str]) -> dict:
    """A draft question from one row (raises :class:`_Refused`)."""

    def cell(index: int | None):
        return row[index] if index is not None and index < len(row) else None

    prompt = _text(cell(columns["question"]))
    correct_column = columns["correct"] + 1
    texts = {number: _text(cell(index)) for number, index in sorted(columns["answers"].items())}
    choices = {number: text for number, text in texts.items() if text}
    right = _correct(cell(columns["correct"]), correct_column)
    for number in right:
        if number not in texts:
            listed = ", ".join(map(str, texts))
            raise _Refused(correct_column, f"there is no answer {number} (answers: {listed})")
        if number not in choices:
            raise _Refused(correct_column, f"answer {number} is marked correct but is empty")
    if len(choices) < 2:
        raise _Refused(columns["question"] + 1, "a question needs at least two answers")
    if len(right) == len(choices):
        raise _Refused(
            correct_column,
            "every answer is marked correct: no one could go wrong, so quizapp cannot grade it",
        )
    question: dict = {
        "id": question_id(prompt, taken),
        "type": "single",
        "status": "draft",
        "difficulty": 1,
        "prompt": {"zh": prompt, "en": prompt},
    }
    time_limit = _time_limit(cell(columns.get("time")), (columns.get("time") or 0) + 1)
    if time_limit is not None:
        question["time_limit"] = time_limit
    folded = {text.casefold() for text in choices.values()}
    for words in TRUE_FALSE:
        if len(choices) == 2 and folded == set(words):
            (number,) = right  # two answers, not both right
            question["type"] = "true_false"
            question["answer"] = words[choices[number].casefold()]
            return question
    ids = {number: chr(ord("a") + i) for i, number in enumerate(choices)}
    question["choices"] = [
        {"id": ids[number], "text": {"zh": text, "en": text}} for number, text in choices.items()
    ]
    if len(right) == 1:
        question["answer"] = ids[right[0]]
    else:
        question["type"] = "multiple"
        question["answer"] = [ids[number] for number in choices if number in right]
    return question


def _read_sheets(workbook, file: str, incoming: Incoming) -> None:
    for sheet in workbook.worksheets[:10]:
        # A sheet's stated size may be wrong (files written by other tools):
        # read what is there instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        for number, row in enumerate(rows, start=1):
            if number > HEADER_ROWS:
                break
            columns = _columns(row)
            if columns is not None:
                _read_questions(rows, number, columns, file, incoming)
                return
    incoming.fail(
        file,
        1,
        "no header row found: Kahoot's quiz template has a row with 'Question', "
        "'Answer 1', 'Answer 2'... and 'Correct answer(s)'",
    )


def _read_questions(rows, header: int, columns: dict, file: str, incoming: Incoming) -> None:
    """The question rows under the header, until the first with no question."""
    taken: set[str] = set()
    for number, row in enumerate(rows, start=header + 1):
        if columns["question"] >= len(row) or not _text(row[columns["question"]]):
            return
        if len(incoming.questions) >= MAX_QUESTIONS:
            incoming.fail(file, number, f"more than {MAX_QUESTIONS} questions: a bank's limit")
            return
        try:
            question = _question(row, columns, taken)
        except _Refused as refused:
            incoming.fail(file, number, refused.message, refused.column)
            continue
        incoming.questions.append(question)
        incoming.lines.append(number)


def read(data: bytes, file: str) -> Incoming:
    """Draft questions from a workbook in Kahoot's quiz template."""
    incoming = Incoming()
    if len(data) > MAX_BYTES:
        incoming.fail(file, 1, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return incoming
    not_a_workbook = "not an .xlsx workbook (in Kahoot's template, save it as .xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        incoming.fail(file, 1, not_a_workbook)
        return incoming
    if unpacked > MAX_UNPACKED:
        incoming.fail(file, 1, f"the workbook unpacks to more than {MAX_UNPACKED // 2**20} MB")
        return incoming
    # openpyxl raises many kinds of errors on a broken or hostile workbook
    # (zip, XML, missing parts, bad values), and warns about odd ones: none
    # may escape an import, which reports them as a problem instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            incoming.fail(file, 1, not_a_workbook)
            return incoming
        try:
            _read_sheets(workbook, file, incoming)
        except Exception as error:
            incoming.fail(file, 1, f"the workbook could not be read: {type(error).__name__}")
        finally:
            workbook.close()
    return incoming
