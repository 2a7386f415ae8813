"""Aiken export and import (quizapp.domain.interop.aiken).

Aiken holds one-answer choice questions and nothing else: every shipped bank
must export with the other types skipped (with a reason), the file must read
back to the same questions, texts and answers, and a broken file must be
refused at the right line.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.domain.banks import read_bank
from quizapp.domain.interop import aiken
from quizapp.domain.interop.common import Citation, OutgoingBank, both
from quizapp.domain.sources import load_catalog

ROOT = Path(__file__).resolve().parents[3]
BANK_FILES = sorted(p for p in (ROOT / "questions").glob("*.yaml") if not p.name.startswith("_"))
WRITTEN_TYPES = ("single", "true_false", "claim")


@cache
def catalog():
    found, problems = load_catalog(ROOT / "seeds", 10_000_000)
    assert not problems
    return found


def cite(source: dict) -> Citation:
    doc = catalog().get(source["doc"])
    gloss = (source.get("gloss") or {}).get("en")
    url = f"https://quiz.example/sources/{source['doc']}#passage"
    return Citation(source["exact"], gloss, doc.outlet, doc.published, url)


@cache
def shipped(path: Path) -> OutgoingBank:
    spec, problems = read_bank(path.read_bytes(), str(path), catalog())
    assert spec is not None, problems
    questions = [(question.key, question.content) for question in spec.questions]
    return OutgoingBank(spec.slug, spec.title, spec.description, questions, cite)


def choice_texts(content: dict) -> list[dict]:
    if content["type"] == "true_false":
        return list(aiken.TRUE_FALSE)
    if content["type"] == "claim":
        return list(aiken.CLAIM_ANSWERS.values())
    return [choice["text"] for choice in content["choices"]]


def right_letter(content: dict) -> str:
    if content["type"] == "true_false":
        return "a" if content["answer"] else "b"
    if content["type"] == "claim":
        return "a" if content["answer"] == "supported" else "b"
    ids = [choice["id"] for choice in content["choices"]]
    return "abcdefgh"[ids.index(content["answer"])]


def line(text: dict) -> str:
    return " ".join(both(text).split())


# --- export ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.stem)
def test_every_shipped_bank_exports(path):
    """Every bank exports; choice questions are written, the rest skipped with a reason."""
    bank = shipped(path)
    exported = aiken.write(bank)
    assert exported.filename == f"{bank.slug}.aiken.txt"
    assert exported.media_type == "text/plain; charset=utf-8"
    text = exported.data.decode("utf-8")
    skipped = {item.key: item for item in exported.skipped}
    for key, content in bank.questions:
        if content["type"] in WRITTEN_TYPES:
            assert key in exported.written
        else:
            assert skipped[key].type == content["type"]
            assert skipped[key].reason.startswith("Aiken has ")
    assert len(exported.written) + len(skipped) == len(bank.questions)
    blocks = text.rstrip("\n").split("\n\n") if text else []
    assert len(blocks) == len(exported.written)
    for block in blocks:
        lines = block.split("\n")
        assert not re.match(r"[A-Z][.)]\s|ANSWER:", lines[0])
        letters = "ABCDEFGH"[: len(lines) - 2]
        assert [choice[:3] for choice in lines[1:-1]] == [f"{letter}. " for letter in letters]
        assert re.fullmatch(rf"ANSWER: [{letters}]", lines[-1])


def test_claims_carry_their_passage_and_the_two_verdicts():
    bank = shipped(ROOT / "questions" / "check-form-a.yaml")
    _key, content = bank.questions[0]
    text = aiken.write(bank).data.decode()
    block = text.split("\n\n")[0].split("\n")
    assert block[0].startswith(line(content["prompt"]) + aiken.PASSAGE_MARK)
    assert f"“{content['sources'][0]['exact']}”" in block[0]
    assert block[1:3] == [
        "A. 文中有依据 / Supported by the passage",
        "B. 文中无依据 / Not supported by the passage",
    ]


def test_a_text_an_aiken_reader_would_misread_is_skipped():
    content = {
        "type": "single",
        "prompt": {"zh": "A. 这是问题", "en": "A. This is a question"},
        "choices": [{"id": "a", "text": {"zh": "是", "en": "Yes"}}],
        "answer": "a",
    }
    answer = dict(content, prompt={"zh": "ANSWER: 问", "en": "ANSWER: ask"})
    bank = OutgoingBank("b", {}, {}, [("x", content), ("y", answer)], cite)
    exported = aiken.write(bank)
    assert exported.written == [] and exported.data == b""
    assert [item.key for item in exported.skipped] == ["x", "y"]


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.stem)
def test_shipped_banks_round_trip(path):
    """What Aiken keeps comes back: the lines of each text, the choices, the answer."""
    bank = shipped(path)
    exported = aiken.write(bank)
    incoming = aiken.read(exported.data, exported.filename)
    assert incoming.problems == [] and incoming.unsupported == []
    assert len(incoming.questions) == len(exported.written)
    contents = dict(bank.questions)
    for key, question in zip(exported.written, incoming.questions, strict=True):
        content = contents[key]
        assert question["type"] == "single" and question["status"] == "draft"
        assert line(question["prompt"]) == line(content["prompt"])
        assert [line(choice["text"]) for choice in question["choices"]] == [
            line(text) for text in choice_texts(content)
        ]
        assert question["answer"] == right_letter(content)
        assert "explanation" not in question and "sources" not in question


# --- generated banks -------------------------------------------------------------------

PUNCTUATION = "~=#{}:%[]\\<>&*\"'-()!?.,;|"
EN = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " \n" + PUNCTUATION),
    min_size=1,
    max_size=30,
).map(lambda s: " ".join(s.split()))
ZH = st.text(
    alphabet=st.sampled_from("深度伪造测试视频报道“”，。？！： /abc1"), min_size=1, max_size=20
)
# Chinese text: it has Chinese characters, and no "/" after its last one (where
# "中文 / English" is split, which " / " joins the two cannot be told).
ZH_TEXT = ZH.map(lambda s: " ".join(s.split())).filter(
    lambda s: re.fullmatch("(.*[深度伪造测试视频报道])[^/深度伪造测试视频报道]*", s)
)
EN_TEXT = EN.filter(lambda s: len(s) >= 2 and not re.match(r"[A-Z][.)](\s|$)|ANSWER\s*:", s))


@st.composite
def bilingual(draw) -> dict:
    english = draw(EN_TEXT)
    if draw(st.integers(0, 4)) == 0:
        return {"zh": english, "en": english}
    return {"zh": draw(ZH_TEXT), "en": english}


@st.composite
def question(draw) -> dict:
    kind = draw(st.sampled_from(["single", "multiple", "true_false", "claim", "numeric"]))
    content = {"type": kind, "prompt": draw(bilingual()), "explanation": draw(bilingual())}
    content["sources"] = [{"doc": "huanqiu-2024-02", "exact": "一个人咬了一口饼干"}]
    if kind in ("single", "multiple"):
        count = draw(st.integers(3, 8))
        content["choices"] = [
            {"id": f"c{index}", "text": draw(bilingual()), "feedback": draw(bilingual())}
            for index in range(count)
        ]
        content["answer"] = "c1" if kind == "single" else ["c0", "c2"]
    elif kind == "true_false":
        content["answer"] = draw(st.booleans())
    elif kind == "claim":
        content["answer"] = draw(st.sampled_from(["supported", "not_supported"]))
    else:
        content["answer"] = {"value": 3, "tolerance": 0}
    return content


@settings(max_examples=50, deadline=None)
@given(st.lists(question(), min_size=1, max_size=5))
def test_generated_banks_round_trip(contents):
    """Both languages come back apart, and the choices and the answer with them."""
    bank = OutgoingBank("g", {}, {}, [(f"q{i}", c) for i, c in enumerate(contents)], cite)
    exported = aiken.write(bank)
    assert exported.data.decode("utf-8") is not None
    expected = [(key, c) for key, c in bank.questions if c["type"] in WRITTEN_TYPES]
    assert exported.written == [key for key, _ in expected]
    assert {item.key for item in exported.skipped} == {
        key for key, c in bank.questions if c["type"] not in WRITTEN_TYPES
    }
    incoming = aiken.read(exported.data, "g.aiken.txt")
    assert incoming.problems == []
    assert len(incoming.questions) == len(expected)
    for (_key, content), found in zip(expected, incoming.questions, strict=True):
        assert found["prompt"] == content["prompt"]
        assert [choice["text"] for choice in found["choices"]] == choice_texts(content)
        assert found["answer"] == right_letter(content)
        assert [choice["id"] for choice in found["choices"]] == list(
            "abcdefgh"[: len(found["choices"])]
        )


# --- import ------------------------------------------------------------------------------

SAMPLE = """\
What does "deepfake" mean?
A. A kind of camera
B) Content faked with AI
C. A news website
ANSWER: B

据报道，Sora 的视频
最长可以有多长？ / As reported, how long can a Sora video be?
A. 18秒 / 18 seconds
B. 1分钟 / One minute

ANSWER: b
Which is true?
A. This one
B. That one
ANSWER:A
"""


def test_import_reads_questions_languages_and_answers():
    incoming = aiken.read(SAMPLE.encode("utf-8"), "quiz.txt")
    assert incoming.problems == [] and incoming.unsupported == []
    first, second, third = incoming.questions
    assert first == {
        "id": "what-does-deepfake-mean",
        "type": "single",
        "status": "draft",
        "difficulty": 1,
        "prompt": {"zh": 'What does "deepfake" mean?', "en": 'What does "deepfake" mean?'},
        "choices": [
            {"id": "a", "text": {"zh": "A kind of camera", "en": "A kind of camera"}},
            {"id": "b", "text": {"zh": "Content faked with AI", "en": "Content faked with AI"}},
            {"id": "c", "text": {"zh": "A news website", "en": "A news website"}},
        ],
        "answer": "b",
    }
    # A question's text may run over lines; "中文 / English" is its two languages.
    assert second["prompt"] == {
        "zh": "据报道，Sora 的视频 最长可以有多长？",
        "en": "As reported, how long can a Sora video be?",
    }
    assert second["choices"][1]["text"] == {"zh": "1分钟", "en": "One minute"}
    assert second["answer"] == "b" and third["answer"] == "a"
    assert incoming.lines == [1, 7, 13]


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("Q?\nA. x\nB. y\n\nNext?\nA. 1\nB. 2\nANSWER: A\n", 1, "no ANSWER line"),
        ("Q?\nA. x\nB. y\n", 1, "no ANSWER line"),
        ("Q?\nA. x\nB. y\nANSWER: D\n", 4, "not among the choices (A–B)"),
        ("A. x\nB. y\nANSWER: A\n", 1, "without a question"),
        ("Q?\nA. x\nC. y\nANSWER: A\n", 3, "where B was expected"),
        ("Q?\nANSWER: A\n", 2, "no choices before"),
        ("ANSWER: A\n", 1, "without a question"),
        ("Q?\nA. x\nANSWER: A\n", 3, "2 to 8 choices"),
        ("Q?\nA. x\nB.\nANSWER: A\n", 3, "has no text"),
        ("Q?\nA. x\nB. y\nANSWER: A, B\n", 4, "one letter"),
        ("Q?\n\nOther?\nA. x\nB. y\nANSWER: A\n", 1, "no choices and no ANSWER"),
        ("Q?\n" + "".join(f"{c}. {c}\n" for c in "ABCDEFGHI") + "ANSWER: A\n", 11, "2 to 8"),
    ],
)
def test_import_problems_are_located(source, line, words):
    incoming = aiken.read(source.encode(), "quiz.txt")
    assert len(incoming.problems) == 1, incoming.problems
    (problem,) = incoming.problems
    assert (problem.file, problem.line) == ("quiz.txt", line)
    assert words in problem.message


def test_a_broken_question_does_not_stop_the_next_ones_being_checked():
    data = b"Q1?\nA. x\nB. y\nANSWER: Z\n\nQ2?\nA. x\nB. y\nANSWER: B\n\nA. stray\n"
    incoming = aiken.read(data, "quiz.txt")
    assert [problem.line for problem in incoming.problems] == [4, 11]
    assert [question["prompt"]["en"] for question in incoming.questions] == ["Q2?"]


def test_import_refuses_a_file_that_is_not_utf8():
    incoming = aiken.read(b"Q?\nA. x\nB. \xe9\nANSWER: A\n", "quiz.txt")
    (problem,) = incoming.problems
    assert problem.line == 3 and "UTF-8" in problem.message


def test_import_reads_windows_line_ends():
    incoming = aiken.read(b"\xef\xbb\xbfQ?\r\nA. x\r\nB. y\r\nANSWER: B\r\n", "quiz.txt")
    assert incoming.problems == [] and incoming.questions[0]["answer"] == "b"


def test_splitting_the_two_languages():
    assert aiken.bilingual("深度 / 伪造 / deep / fake") == {
        "zh": "深度 / 伪造",
        "en": "deep / fake",
    }
    assert aiken.bilingual("AI / ML") == {"zh": "AI / ML", "en": "AI / ML"}
    assert aiken.bilingual("只有中文 / ") == {"zh": "只有中文 /", "en": "只有中文 /"}


# --- hostile input ------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    incoming = aiken.read(data, "quiz.txt")
    assert len(incoming.questions) == len(incoming.lines)


LINES = st.sampled_from(["", "Q?", "问题 / Q", "A. x", "B) y", "C. z", "ANSWER: A", "ANSWER: B"])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(LINES, st.text(max_size=12)), max_size=20))
def test_random_text_never_raises(lines):
    """Random text never raises, and whatever is read is a well-formed draft."""
    source = "\n".join(lines)
    incoming = aiken.read(source.encode("utf-8"), "quiz.txt")
    assert len(incoming.questions) == len(incoming.lines)
    for found in incoming.questions:
        assert found["type"] == "single" and 2 <= len(found["choices"]) <= 8
        assert found["answer"] in [choice["id"] for choice in found["choices"]]
        assert all(found["prompt"].values()) and set(found["prompt"]) == {"zh", "en"}
    for problem in incoming.problems:
        assert 1 <= problem.line <= max(1, len(source.splitlines()) + 1)
