"""Kahoot's quiz spreadsheet template: workbooks laid out as Kahoot's is
(title and instruction rows, then the header, then a question a row),
built here with openpyxl, and the mistakes a teacher's copy can hold."""

import io
import zipfile

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.domain.interop import kahoot

HEADER = [
    "Question - max 120 characters",
    "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters",
    "Answer 3 - max 75 characters",
    "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
    "Correct answer(s) - choose at least one",
]
#: The rows above the header, in the template's spirit (our own words).
INSTRUCTIONS = [
    [],
    ["Quiz template"],
    ["Write each question with two to four answers, a time limit and the right answer(s)."],
    ["Questions may be 120 characters long, answers 75."],
    ["If several answers are right, separate their numbers with commas."],
    [],
    ["The first row below is an example: write over it."],
]
COOKIE = [
    "As reported in February 2024, what did a bitten cookie in a Sora video lack?",
    "A bite mark",
    "Crumbs",
    "Its colour",
    "A plate",
    20,
    1,
]


def workbook(questions: list[list], above=INSTRUCTIONS, header=HEADER, first_column=2) -> bytes:
    """A workbook with ``above`` on top, then ``header`` and the questions,
    starting at column B as Kahoot's template does (column A numbers the
    questions)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in above:
        sheet.append([None, *row] if row else [None])
    sheet.append([None] * (first_column - 1) + header)
    for number, question in enumerate(questions, start=1):
        sheet.append([number] + [None] * (first_column - 2) + question)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_ROW = len(INSTRUCTIONS) + 1


def problems(incoming) -> list[str]:
    return [str(problem) for problem in incoming.problems]


def test_a_filled_in_template_imports_as_drafts_at_their_rows():
    second = ["Which company made Sora?", "Google", "OpenAI", "", "", "30", "2"]
    incoming = kahoot.read(workbook([COOKIE, second]), "quiz.xlsx")
    assert incoming.problems == [] and incoming.unsupported == []
    assert incoming.lines == [HEADER_ROW + 1, HEADER_ROW + 2]
    first, other = incoming.questions
    assert first == {
        "id": "as-reported-in-february-2024-what-did-a",
        "type": "single",
        "status": "draft",
        "difficulty": 1,
        "prompt": {"zh": COOKIE[0], "en": COOKIE[0]},
        "time_limit": 20,
        "choices": [
            {"id": letter, "text": {"zh": text, "en": text}}
            for letter, text in zip("abcd", COOKIE[1:5], strict=True)
        ],
        "answer": "a",
    }
    # Empty answers are left out; the right one is found by its number.
    assert [c["text"]["en"] for c in other["choices"]] == ["Google", "OpenAI"]
    assert other["answer"] == "b" and other["time_limit"] == 30
    assert "source" not in first and "sources" not in first


def test_several_correct_answers_make_a_multiple_question():
    rows = [
        [
            "Which did OpenAI list as limits?",
            "Cause and effect",
            "Colour",
            "Left and right",
            "Sound",
            60,
            "1,3",
        ],
        ["And these?", "A", "B", "C", "D", 60, "2, 4"],
        ["Or these?", "A", "B", "C", "", 60, "3;1"],
    ]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    assert incoming.problems == []
    assert [q["type"] for q in incoming.questions] == ["multiple"] * 3
    assert [q["answer"] for q in incoming.questions] == [["a", "c"], ["b", "d"], ["a", "c"]]


def test_two_answers_true_and_false_make_a_true_false_question():
    rows = [
        ["Sora was shown in February 2024.", "True", "False", "", "", 10, 1],
        ["Sora makes sound.", "false", "TRUE", "", "", 10, "1"],
        # Excel turns a typed TRUE into a truth value.
        ["Sora is a car.", True, False, None, None, 10, 2],
        ["Sora是视频模型。", "对", "错", "", "", 10, 1],
    ]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    assert incoming.problems == []
    assert [q["type"] for q in incoming.questions] == ["true_false"] * 4
    assert [q["answer"] for q in incoming.questions] == [True, False, False, True]
    assert all("choices" not in q for q in incoming.questions)
    assert incoming.questions[3]["id"] == "sora"
    assert incoming.questions[3]["prompt"] == {"zh": "Sora是视频模型。", "en": "Sora是视频模型。"}


def test_true_and_false_among_more_answers_stay_a_choice_question():
    rows = [["Which?", "True", "False", "Both", "", 10, 3]]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    assert incoming.questions[0]["type"] == "single"


def test_a_missing_correct_answer_is_a_problem_at_its_row_and_column():
    rows = [COOKIE, ["No answer marked", "A", "B", "", "", 20, None], COOKIE]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    # Column H (8): the template's "Correct answer(s)".
    assert problems(incoming) == [
        f"quiz.xlsx:{HEADER_ROW + 2}:8: no correct answer: write the right answer's number, like 1 or 1,3"
    ]
    assert incoming.lines == [HEADER_ROW + 1, HEADER_ROW + 3]


def test_a_correct_answer_out_of_range_is_a_problem():
    rows = [
        ["Five?", "A", "B", "C", "D", 20, 5],
        ["Empty third?", "A", "B", "", "", 20, "1,3"],
        ["Zero?", "A", "B", "", "", 20, "0"],
        ["Words?", "A", "B", "", "", 20, "the first"],
        # "1,3" where a comma is the decimal point: Excel keeps 1.3.
        ["Decimal?", "A", "B", "C", "", 20, 1.3],
        ["All?", "A", "B", "C", "", 20, "1,2,3"],
        ["One answer?", "A", "", "", "", 20, 1],
    ]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    row = HEADER_ROW
    assert problems(incoming) == [
        f"quiz.xlsx:{row + 1}:8: there is no answer 5 (answers: 1, 2, 3, 4)",
        f"quiz.xlsx:{row + 2}:8: answer 3 is marked correct but is empty",
        f"quiz.xlsx:{row + 3}:8: there is no answer 0 (answers: 1, 2, 3, 4)",
        f"quiz.xlsx:{row + 4}:8: 'the' is not an answer number",
        f"quiz.xlsx:{row + 5}:8: read as the number 1.3: write the answer numbers as text, like 1,3",
        f"quiz.xlsx:{row + 6}:8: every answer is marked correct: no one could go wrong, so quizapp cannot grade it",
        f"quiz.xlsx:{row + 7}:2: a question needs at least two answers",
    ]
    assert incoming.questions == []


def test_time_limits_within_ours_are_kept_and_others_refused():
    rows = [
        [*COOKIE[:5], "240", 1],
        [*COOKIE[:5], "90 sec", 1],
        [*COOKIE[:5], None, 1],
        [*COOKIE[:5], 700, 1],
        [*COOKIE[:5], "soon", 1],
    ]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    assert [q.get("time_limit") for q in incoming.questions] == [240, 90, None]
    assert problems(incoming) == [
        f"quiz.xlsx:{HEADER_ROW + 4}:7: time limit '700' is not a number of seconds from 5 to 600",
        f"quiz.xlsx:{HEADER_ROW + 5}:7: time limit 'soon' is not a number of seconds from 5 to 600",
    ]
    assert [q["id"] for q in incoming.questions] == [
        "as-reported-in-february-2024-what-did-a",
        "as-reported-in-february-2024-what-did-a-2",
        "as-reported-in-february-2024-what-did-a-3",
    ]


def test_reading_stops_at_the_first_row_with_no_question():
    rows = [COOKIE, ["", "stray", "", "", "", "", ""], ["After the gap", "A", "B", "", "", 20, 9]]
    incoming = kahoot.read(workbook(rows), "quiz.xlsx")
    assert incoming.problems == [] and len(incoming.questions) == 1


def test_the_header_is_found_by_its_words_wherever_it_is():
    header = ["Correct answer(s)", "Question", "Answer 2", "Answer 1", "Time limit (sec)"]
    rows = [[2, "Which is right?", "Right", "Wrong", 5]]
    data = workbook(rows, above=[["My quiz"]], header=header, first_column=4)
    incoming = kahoot.read(data, "quiz.xlsx")
    assert incoming.problems == []
    assert incoming.lines == [3]
    question = incoming.questions[0]
    assert [c["text"]["en"] for c in question["choices"]] == ["Wrong", "Right"]
    assert question["answer"] == "b" and question["time_limit"] == 5


def test_no_header_row_is_a_problem_at_line_1():
    data = workbook([COOKIE], header=["Question", "Answers", "Time", "Right one"])
    incoming = kahoot.read(data, "quiz.xlsx")
    assert problems(incoming) == [
        "quiz.xlsx:1:1: no header row found: Kahoot's quiz template has a row with "
        "'Question', 'Answer 1', 'Answer 2'... and 'Correct answer(s)'"
    ]
    # Further down than the header is looked for is not found either.
    data = workbook([COOKIE], above=[[f"note {n}"] for n in range(60)])
    assert [p.line for p in kahoot.read(data, "quiz.xlsx").problems] == [1]


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_file_that_is_not_an_xlsx_workbook_is_a_problem():
    not_a_workbook = "quiz.xlsx:1:1: not an .xlsx workbook (in Kahoot's template, save it as .xlsx)"
    for data in (
        b"",
        b"Question,Answer 1,Answer 2\r\nWhich?,A,B\r\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # an old .xls
        zipped({"hello.txt": b"hi"}),
        zipped({"[Content_Types].xml": b"<not xml"}),
        workbook([COOKIE])[:-200],
    ):
        assert problems(kahoot.read(data, "quiz.xlsx")) == [not_a_workbook]


def test_a_workbook_too_large_or_unpacking_too_large_is_refused():
    incoming = kahoot.read(b"PK" + b"\0" * kahoot.MAX_BYTES, "big.xlsx")
    assert problems(incoming) == ["big.xlsx:1:1: the file is larger than 5 MB"]
    bomb = zipped({"xl/big.xml": b"\0" * (kahoot.MAX_UNPACKED + 1)})
    assert len(bomb) < kahoot.MAX_BYTES
    incoming = kahoot.read(bomb, "bomb.xlsx")
    assert problems(incoming) == ["bomb.xlsx:1:1: the workbook unpacks to more than 50 MB"]


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    incoming = kahoot.read(data, "x.xlsx")
    assert incoming.problems


VALID = workbook([COOKIE])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8))
def test_a_damaged_workbook_never_raises(changes):
    data = bytearray(VALID)
    for where, byte in changes:
        data[where] = byte
    incoming = kahoot.read(bytes(data), "x.xlsx")
    assert incoming.problems or incoming.questions
