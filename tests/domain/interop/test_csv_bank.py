"""The CSV template: what an export writes, what an import reads back, and
the mistakes a teacher's spreadsheet makes, each reported at its line."""

import codecs
import csv
import io
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.domain.banks import read_bank
from quizapp.domain.interop import csv_bank
from quizapp.domain.interop.common import Citation, OutgoingBank
from quizapp.domain.sources import load_catalog

ROOT = Path(__file__).resolve().parents[3]
HEADER = "id,type,prompt_zh,prompt_en,choice_1_zh,choice_1_en,choice_2_zh,choice_2_en,answer"


def cite(entry: dict) -> Citation:
    return Citation(
        entry["exact"],
        (entry.get("gloss") or {}).get("en"),
        {"zh": "环球时报", "en": "Global Times"},
        "2024-02-18",
        f"https://quiz.example/sources/{entry['doc']}#passage",
    )


def outgoing(questions: list[tuple[str, dict]], slug: str = "test-bank") -> OutgoingBank:
    title = {"zh": "测试", "en": "Test"}
    return OutgoingBank(slug, title, title, questions, cite)


def kept(question: dict) -> dict:
    """What the template keeps of a question: choices by position (the file
    numbers them), the answer by those positions, no status, no sources."""
    ids = [choice["id"] for choice in question.get("choices", ())]
    answer = question["answer"]
    if question["type"] == "single":
        answer = ids.index(answer)
    elif question["type"] == "multiple":
        answer = [ids.index(choice) for choice in answer]
    elif question["type"] == "numeric":
        answer = {"tolerance": 0} | answer
    return {
        "type": question["type"],
        "difficulty": question.get("difficulty", 1),
        "objective": question.get("objective"),
        "form": question.get("form"),
        "time_limit": question.get("time_limit"),
        "tags": question.get("tags") or [],
        "prompt": question["prompt"],
        "choices": [
            (choice["text"], choice.get("feedback")) for choice in question.get("choices", ())
        ],
        "answer": answer,
        "explanation": question.get("explanation"),
        "wrong_feedback": question.get("wrong_feedback"),
    }


def read_text(text: str, bom: bool = False):
    data = text.encode("utf-8")
    return csv_bank.read(codecs.BOM_UTF8 + data if bom else data, "bank.csv")


def problems(incoming) -> list[str]:
    return [str(problem) for problem in incoming.problems]


# --- every shipped bank -----------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    catalog, _ = load_catalog(ROOT / "seeds", 10_000_000)
    banks = []
    for path in sorted((ROOT / "questions").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        bank, found = read_bank(path.read_bytes(), str(path), catalog)
        assert bank is not None, found
        banks.append(bank)
    return banks


def test_every_shipped_bank_goes_out_whole_and_comes_back_the_same(shipped):
    for bank in shipped:
        questions = [(spec.key, spec.content) for spec in bank.questions]
        exported = csv_bank.write(outgoing(questions, bank.slug))
        assert exported.filename == f"{bank.slug}.csv"
        assert exported.skipped == []
        assert exported.written == [key for key, _ in questions]
        back = csv_bank.read(exported.data, exported.filename)
        assert back.problems == [] and back.unsupported == []
        assert [q["id"] for q in back.questions] == [key for key, _ in questions]
        for (_, content), question in zip(questions, back.questions, strict=True):
            assert question["status"] == "draft"
            assert "source" not in question and "sources" not in question
            assert kept(question) == kept(content)


def test_the_source_column_cites_the_passage_its_outlet_and_the_link(shipped):
    bank = shipped[0]
    spec = bank.questions[0]
    exported = csv_bank.write(outgoing([(spec.key, spec.content)]))
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))
    source = rows[0]["source"]
    first = spec.content["sources"][0]
    assert f"“{first['exact']}”" in source
    assert "Global Times" in source
    assert f"https://quiz.example/sources/{first['doc']}#passage" in source
    assert rows[0]["status"] == spec.content["status"]


# --- generated questions of every type ----------------------------------------------

# Text a teacher might type, with what CSV and spreadsheets make awkward:
# separators, quotes, line breaks, apostrophes, backslashes and formula starts.
CHARS = "ab xyz019 ,;\"'\\\n=+-@%测试伪造深度“”，。？"
TEXT = st.text(alphabet=st.sampled_from(CHARS), min_size=1, max_size=25).map(str.strip).filter(bool)
BILINGUAL = st.fixed_dictionaries({"zh": TEXT, "en": TEXT})
NUMBER = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-05, -0.00025, 1e20, 0.1, -6]),
)
IDENT = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@st.composite
def contents(draw) -> dict:
    kind = draw(st.sampled_from(csv_bank.TYPES))
    content = {
        "type": kind,
        "status": draw(st.sampled_from(["published", "draft", "retired"])),
        "difficulty": draw(st.integers(1, 3)),
        "tags": draw(st.lists(IDENT, max_size=3, unique=True)),
        "prompt": draw(BILINGUAL),
        "explanation": draw(BILINGUAL),
        "sources": [{"doc": "huanqiu-2024-02", "exact": "一个人咬了一口饼干"}],
    }
    if draw(st.booleans()):
        content["objective"] = draw(IDENT)
    if draw(st.booleans()):
        content["time_limit"] = draw(st.integers(5, 600))
    if draw(st.booleans()):
        content["form"] = draw(st.sampled_from("AB"))
    if kind in csv_bank.CHOICE_TYPES:
        low = 2 if kind == "single" else 3
        count = draw(st.integers(low, 8))
        ids = draw(st.lists(IDENT, min_size=count, max_size=count, unique=True))
        content["choices"] = [
            {"id": choice, "text": draw(BILINGUAL)}
            | ({"feedback": draw(BILINGUAL)} if draw(st.booleans()) else {})
            for choice in ids
        ]
        if kind == "single":
            content["answer"] = draw(st.sampled_from(ids))
        else:
            right = draw(st.sets(st.sampled_from(ids), min_size=1, max_size=count - 1))
            content["answer"] = [choice for choice in ids if choice in right]
    else:
        if kind == "true_false":
            content["answer"] = draw(st.booleans())
        elif kind == "claim":
            content["answer"] = draw(st.sampled_from(["supported", "not_supported"]))
        elif kind == "numeric":
            content["answer"] = {"value": draw(NUMBER), "tolerance": draw(NUMBER.map(abs))}
            if draw(st.booleans()):
                content["answer"]["unit"] = draw(BILINGUAL)
            if draw(st.booleans()):
                content["answer"]["month"] = draw(st.integers(1, 12))
        else:
            accepted = draw(st.lists(TEXT, min_size=1, max_size=4))
            folded = {item.casefold(): item for item in accepted}
            content["answer"] = list(folded.values())
        if draw(st.booleans()):
            content["wrong_feedback"] = draw(BILINGUAL)
    return content


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(contents(), min_size=1, max_size=4), st.sampled_from([",", ";", "\t"]))
def test_ours_to_csv_and_back_keeps_every_type(questions, separator):
    pairs = [(f"q{i}", content) for i, content in enumerate(questions)]
    exported = csv_bank.write(outgoing(pairs))
    assert exported.skipped == []
    data = exported.data
    if separator != ",":
        # The same table as Excel saves it in a language that writes ";" (or tabs).
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=separator).writerows(rows)
        data = buffer.getvalue().encode("utf-8")
    back = csv_bank.read(data, "bank.csv")
    assert back.problems == []
    assert [q["id"] for q in back.questions] == [key for key, _ in pairs]
    for (_, content), question in zip(pairs, back.questions, strict=True):
        assert kept(question) == kept(content)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data):
    incoming = csv_bank.read(data, "x.csv")
    assert all(problem.line >= 1 for problem in incoming.problems)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab,;\"\n\r1='\\;"), max_size=30), max_size=5))
def test_random_rows_under_a_real_header_never_raise(lines):
    text = csv_bank.template().decode("utf-8-sig") + "\r\n".join(lines)
    incoming = read_text(text)
    assert all(problem.line >= 1 for problem in incoming.problems)


# --- the template -------------------------------------------------------------------


def test_every_column_has_a_one_line_meaning():
    names = [name for name, _ in csv_bank.TEMPLATE_COLUMNS]
    assert len(names) == len(set(names))
    assert names[:2] == ["id", "type"] and names[-2:] == ["status", "source"]
    for name, meaning in csv_bank.TEMPLATE_COLUMNS:
        assert meaning.strip() and "\n" not in meaning, name


def test_the_empty_template_opens_in_excel_and_imports_as_its_two_examples():
    data = csv_bank.template()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(csv_bank.IMPORT_COLUMNS)
    assert len(rows) == 3
    incoming = csv_bank.read(data, "template.csv")
    assert incoming.problems == []
    assert [q["type"] for q in incoming.questions] == ["single", "short_text"]
    assert incoming.questions[1]["answer"] == ["深度伪造", "deepfake", "AI换脸"]
    assert incoming.lines == [2, 3]


# --- formulas ---------------------------------------------------------------------------


def test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_it_was():
    prompt = {"zh": '=HYPERLINK("http://x","点我")', "en": "@SUM(A1)"}
    content = {
        "type": "short_text",
        "status": "draft",
        "difficulty": 1,
        "tags": [],
        "prompt": prompt,
        "explanation": {"zh": "+1 分", "en": "'=already quoted"},
        "answer": ["-x", "-6"],
    }
    exported = csv_bank.write(outgoing([("q", content)]))
    row = next(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))
    assert row["prompt_zh"] == "'" + prompt["zh"]
    assert row["prompt_en"] == "'@SUM(A1)"
    assert row["explanation_zh"] == "'+1 分"
    # An apostrophe already there gets one more, so the one import takes off is ours.
    assert row["explanation_en"] == "''=already quoted"
    assert row["answer"] == "'-x;-6"
    back = csv_bank.read(exported.data, "bank.csv").questions[0]
    assert back["prompt"] == prompt
    assert back["explanation"] == content["explanation"]
    assert back["answer"] == ["-x", "-6"]


def test_a_negative_number_stays_a_number():
    row = ["n1", "numeric", "多少？", "How many?", *[""] * 32, "-6"]
    exported = csv_bank.write(
        outgoing(
            [
                (
                    "n1",
                    {
                        "type": "numeric",
                        "difficulty": 1,
                        "prompt": {"zh": "多少？", "en": "How many?"},
                        "answer": {"value": -6, "tolerance": 0},
                    },
                )
            ]
        )
    )
    written = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))[1]
    assert written[: len(row)] == row


# --- reading a teacher's file ---------------------------------------------------------


def test_columns_in_any_order_with_or_without_a_bom():
    text = (
        "answer,Type,Prompt EN,prompt_zh,choice_2_en,choice_1_en\r\n"
        "2,single,Which?,哪个？,Right,Wrong\r\n"
    )
    for bom in (False, True):
        incoming = read_text(text, bom)
        assert incoming.problems == []
        question = incoming.questions[0]
        assert question["answer"] == "b"
        assert question["choices"][1]["text"] == {"zh": "Right", "en": "Right"}
        assert question["prompt"] == {"zh": "哪个？", "en": "Which?"}
        assert question["id"] == "which"


def test_a_file_excel_saved_with_semicolons_reads_its_decimal_commas():
    text = 'type;prompt_en;answer;tolerance\r\nnumeric;"How long, in seconds?";-60,25;0,5\r\n'
    for separator in (";", "\t"):
        incoming = read_text(text.replace(";", separator))
        assert incoming.problems == []
        assert incoming.questions[0]["answer"] == {"value": -60.25, "tolerance": 0.5}
        assert incoming.questions[0]["prompt"]["zh"] == "How long, in seconds?"
    incoming = read_text(text.replace("0,5", "0.5"))
    assert incoming.questions[0]["answer"] == {"value": -60.25, "tolerance": 0.5}
    # Two separators in one number are still no number, with the line and the column.
    incoming = read_text(text.replace("0,5", "1,000,5"))
    assert problems(incoming) == [
        "bank.csv:2:4: tolerance: '1,000,5' is not a number (write it like 12 or 0.5)"
    ]


def test_a_comma_separated_file_reads_no_decimal_comma():
    """There "1,5" needs quotes, and may as well be fifteen hundred: refused, not guessed."""
    text = 'type,prompt_en,answer\r\nnumeric,"How long, in seconds?","1,5"\r\n'
    assert problems(read_text(text)) == [
        "bank.csv:2:3: answer: '1,5' is not a number (write it like 12 or 0.5)"
    ]


def test_every_type_written_by_hand():
    text = "\n".join(
        [
            "type,prompt_en,choice_1_en,choice_2_en,choice_3_en,answer,unit_en,month,tolerance",
            "multiple,Which are true?,A,B,C,1; 3,,,",
            "multiple,Letters too?,A,B,C,a;C,,,",
            "true_false,Sora is a video model.,,,,TRUE,,,",
            "true_false,Sora is a car.,,,,False,,,",
            "claim,The passage says so.,,,,Not supported,,,",
            "claim,It also says this.,,,,文中有依据,,,",
            "numeric,On which day of March?,,,,1,,3,",
            "numeric,How long?,,,,60,seconds,,5",
            r"short_text,Name it.,,,,deepfake;deep\;fake;a\b,,,",
        ]
    )
    incoming = read_text(text)
    assert incoming.problems == []
    assert [q["answer"] for q in incoming.questions] == [
        ["a", "c"],
        ["a", "c"],
        True,
        False,
        "not_supported",
        "supported",
        {"value": 1, "tolerance": 0, "month": 3},
        {"value": 60, "tolerance": 5, "unit": {"zh": "seconds", "en": "seconds"}},
        ["deepfake", "deep;fake", "a\\b"],
    ]
    assert incoming.lines == list(range(2, 11))
    assert all(q["status"] == "draft" and q["difficulty"] == 1 for q in incoming.questions)


def test_problems_are_at_the_physical_line_of_their_row():
    # Row 2 spans lines 2-4 (two cells with a line break), row 3 lines 5-7.
    text = (
        f"{HEADER}\r\n"
        'good,single,"第一行\r\n第二行","Line one\r\nline two",是,Yes,否,No,1\r\n'
        'bad,single,"多行\r\n\r\n题目",Question,是,Yes,否,No,3\r\n'
        "worse,single,题目,Question,是,Yes,否,No,\r\n"
    )
    incoming = read_text(text)
    assert problems(incoming) == [
        "bank.csv:5:9: answer: '3' is not a choice number from 1 to 2",
        "bank.csv:8:9: answer: empty: every question needs its answer",
    ]
    assert incoming.questions[0]["prompt"]["en"] == "Line one\r\nline two"


def test_unknown_and_missing_columns_are_named_at_line_1():
    incoming = read_text("type,promt_en,answer,colour\r\nsingle,x,1,red\r\n")
    assert problems(incoming) == [
        "bank.csv:1:1: unknown column(s): 'promt_en' (did you mean 'prompt_en'?), 'colour'",
        "bank.csv:1:1: missing column(s): prompt_zh or prompt_en",
    ]
    incoming = read_text("id,prompt_zh\r\nq,题目\r\n")
    assert problems(incoming) == ["bank.csv:1:1: missing column(s): type, answer"]
    incoming = read_text("type,type,prompt_en,answer\r\n")
    assert problems(incoming) == ["bank.csv:1:1: column(s) named twice: type"]


def test_the_export_only_columns_are_read_without_complaint_and_ignored():
    text = "type,prompt_en,answer,status,source\r\ntrue_false,Yes?,true,published,“原文” x\r\n"
    incoming = read_text(text)
    assert incoming.problems == []
    assert incoming.questions[0]["status"] == "draft"
    assert set(incoming.questions[0]) == {
        "id",
        "type",
        "status",
        "difficulty",
        "prompt",
        "answer",
    }


def test_an_unknown_type_is_listed_and_the_rest_still_imports():
    text = "type,prompt_en,answer\r\nessay,Write about Sora.,-\r\ntrue_false,Is it?,false\r\n"
    incoming = read_text(text)
    assert incoming.problems == []
    assert [(u.line, u.kind) for u in incoming.unsupported] == [(2, "essay")]
    assert str(incoming.unsupported[0]).startswith("bank.csv:2: essay: quizapp has no such")
    assert len(incoming.questions) == 1 and incoming.lines == [3]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("single,Q,A,B,,1;2", "answer: a single question has one right choice (use multiple)"),
        ("multiple,Q,A,B,C,1;2;3", "answer: every choice is right: a learner could not go wrong"),
        ("multiple,Q,A,B,,1", "a multiple question needs 3 to 8 choices, not 2"),
        ("single,Q,A,,C,1", "choice_2_zh: choice 2 is empty but a later one is not"),
        ("true_false,Q,A,,,true", "choice_1_zh: true_false questions have no choices"),
        ("true_false,Q,,,,maybe", "answer: 'maybe' is not true or false"),
        ("claim,Q,,,,yes", "answer: 'yes' is not supported or not_supported"),
        ("numeric,Q,,,,nan", "answer: 'nan' is not a number (write it like 12 or 0.5)"),
        ("numeric,Q,,,,1e999", "answer: '1e999' is too large"),
        ("short_text,Q,,,,a;A", "answer: lists the same accepted answer twice"),
        ("short_text,Q,,,,;", "answer: empty: list the accepted answers, like 深度伪造;deepfake"),
        (",Q,,,,1", "type: empty: one of single, multiple, true_false, claim, numeric, short_text"),
        ("single,,A,B,,1", "prompt_zh: empty: write the question in prompt_zh or prompt_en"),
    ],
)
def test_a_row_that_cannot_be_a_question_is_a_problem_at_its_line(row, message):
    incoming = read_text(f"type,prompt_en,choice_1_en,choice_2_en,choice_3_en,answer\r\n{row}\r\n")
    assert [p.message for p in incoming.problems] == [message]
    assert {p.line for p in incoming.problems} == {2}


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("difficulty=4", "difficulty: '4' is not a whole number from 1 to 3"),
        ("time_limit=3", "time_limit: '3' is not a whole number from 5 to 600"),
        ("form=C", "form: 'C' is not A or B"),
        ("objective=Who is speaking", "objective: 'Who is speaking' is not an objective id"),
        ("tags=sora-limits;Physics", "tags: 'Physics' is not a tag id (a-z, 0-9, '-' and '_')"),
        ("tags=physics;physics", "tags: lists a tag twice"),
        ("unit_en=seconds", "unit_en: only for numeric questions"),
        (
            "wrong_feedback_en=No.",
            "wrong_feedback_zh: choice questions give feedback on each choice "
            "(choice_N_feedback) instead",
        ),
        ("choice_3_feedback_en=Why", "choice_3_feedback_en: feedback for choice 3, which is empty"),
        ("id=Bad Id", "id: 'Bad Id' is not a valid id (use a-z, 0-9, '-' and '_', at most 64)"),
    ],
)
def test_each_field_is_checked(cells, message):
    column, value = cells.split("=")
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(
        [
            ["type", "prompt_en", "choice_1_en", "choice_2_en", "answer", column],
            ["single", "Q", "A", "B", "1", value],
        ]
    )
    incoming = read_text(buffer.getvalue())
    assert [p.message for p in incoming.problems] == [message]
    assert [p.line for p in incoming.problems] == [2]


def test_ids_are_kept_made_from_the_prompt_and_never_twice():
    text = (
        "id,type,prompt_en,prompt_zh,answer\r\n"
        ",true_false,Is it real?,,true\r\n"
        "is-it-real,true_false,Is it?,,true\r\n"
        ",claim,,文中说的,supported\r\n"
        "is-it-real,true_false,Again?,,false\r\n"
    )
    incoming = read_text(text)
    assert problems(incoming) == [
        "bank.csv:5:1: id: 'is-it-real' is also the id of the question at line 3"
    ]
    assert [q["id"] for q in incoming.questions[:3]] == ["is-it-real-2", "is-it-real", "imported"]
    assert incoming.questions[2]["prompt"] == {"zh": "文中说的", "en": "文中说的"}


def test_cells_outside_the_named_columns_are_problems():
    incoming = read_text("type,prompt_en,answer\r\ntrue_false,Q,true,stray\r\n")
    assert problems(incoming) == ["bank.csv:2:1: cell 4 is beyond the last column of the header"]
    incoming = read_text("type,,prompt_en,answer\r\ntrue_false,x,Q,true\r\n")
    assert problems(incoming) == ["bank.csv:2:1: cell 2 is in a column with no name in the header"]
    # Empty trailing cells, as spreadsheets write them, are nothing.
    incoming = read_text("type,prompt_en,answer,,\r\ntrue_false,Q,true,,,,\r\n,,,,\r\n")
    assert incoming.problems == [] and len(incoming.questions) == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "bank.csv:1:1: the file is empty: the first row names the columns"),
        (
            "type,prompt_en,answer\r\ntrue_false,Q,true\r\n".encode("gb18030")
            + "claim,中文,supported\r\n".encode("gb18030"),
            "bank.csv:3:1: not UTF-8 text: in Excel, save it as 'CSV UTF-8 (Comma delimited)'",
        ),
        (
            b"type,prompt_en,answer\r\ntrue_false,Q\x01,true\r\n",
            "bank.csv:2:1: a control character (U+0001) in the text",
        ),
        (
            b'type,prompt_en,answer\r\ntrue_false,"Q,true\r\nclaim,x,supported\r\n',
            'bank.csv:2:1: a quoted cell on this row is never closed (a missing ")',
        ),
        (
            b'type,prompt_en,answer\r\ntrue_false,"Q"x,true\r\n',
            "bank.csv:2:1: badly quoted cell: ',' expected after '\"'",
        ),
        (
            b"type,prompt_en,answer\r\n" + b"true_false,Q,true\r\n" * 1001,
            "bank.csv:1002:1: more than 1000 questions: a bank's limit",
        ),
    ],
)
def test_a_file_that_is_not_a_table_is_a_problem(data, expected):
    incoming = csv_bank.read(data, "bank.csv")
    assert problems(incoming) == [expected]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    incoming = csv_bank.read(b"x" * (csv_bank.MAX_BYTES + 1), "big.csv")
    assert problems(incoming) == ["big.csv:1:1: the file is larger than 5 MB"]


def test_a_shuffled_export_reads_back_the_same():
    content = {
        "type": "multiple",
        "difficulty": 2,
        "tags": ["physics"],
        "prompt": {"zh": "哪些？", "en": "Which?"},
        "choices": [{"id": c, "text": {"zh": c, "en": c.upper()}} for c in "xyz"],
        "answer": ["x", "z"],
        "explanation": {"zh": "因为。", "en": "Because."},
    }
    exported = csv_bank.write(outgoing([("m", content)]))
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))
    order = list(range(len(rows[0])))
    random.Random(7).shuffle(order)
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([[row[i] for i in order] for row in rows])
    back = read_text(buffer.getvalue())
    assert back.problems == []
    assert kept(back.questions[0]) == kept(content)
