"""Moodle XML (quizapp.domain.interop.moodle_xml): export, import and the round trip.

The export is checked the way Moodle's importer (``qformat_xml``, in
``question/format/xml/format.php``) reads it, with a generic XML parser; the
import against hand-written Moodle files (lines, unsupported types,
refused DTDs); both together by round trips of generated and shipped banks.
"""

from __future__ import annotations

import itertools
import math
import string
import xml.etree.ElementTree as ET
from html import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.domain.interop import moodle_xml
from quizapp.domain.interop.common import Citation, OutgoingBank
from quizapp.domain.question_types import REGISTRY

# --- banks to export ---------------------------------------------------------------


def cite_entry(source: dict) -> Citation:
    """A citation made from the source entry alone (generated banks cite no real article)."""
    gloss = (source.get("gloss") or {}).get("en")
    outlet = {"zh": "环球时报", "en": "Global Times"}
    url = f"https://quiz.example/sources/{source['doc']}#passage"
    return Citation(source["exact"], gloss, outlet, "2024-02", url)


def catalog_cite(catalog):
    """The shipped catalogue's citations, linked as the brief's test banks link them."""

    def cite(source: dict) -> Citation:
        doc = catalog.get(source["doc"])
        gloss = (source.get("gloss") or {}).get("en")
        url = f"https://quiz.example/sources/{source['doc']}#passage"
        return Citation(source["exact"], gloss, doc.outlet, doc.published, url)

    return cite


def outgoing(slug: str, questions: list[tuple[str, dict]], cite=cite_entry) -> OutgoingBank:
    title = {"zh": "测试题库", "en": "Test bank"}
    description = {"zh": "说明", "en": "About it"}
    return OutgoingBank(slug, title, description, questions, cite)


def shipped_banks(shipped, catalog) -> list[OutgoingBank]:
    cite = catalog_cite(catalog)
    return [
        OutgoingBank(
            bank.slug,
            bank.title,
            bank.description,
            [(q.key, q.content) for q in bank.questions],
            cite,
        )
        for bank in shipped.banks
    ]


# Text an author might write: markup characters, CDATA's end, quotes, line
# breaks, a no-break space, CJK and full-width punctuation.
TEXT = st.text(
    alphabet=st.sampled_from(
        string.ascii_letters
        + string.digits
        + " \n:#-?!'\"{}[],&*|<>/%@`;\\"
        + "测试伪造深度“”，。？！：\u00a0"
    ),
    min_size=1,
    max_size=30,
).filter(lambda text: text.strip())
BILINGUAL = st.fixed_dictionaries({"zh": TEXT, "en": TEXT})
# Sometimes the same words in both languages (a name, a number).
SAME_OR_BILINGUAL = st.one_of(BILINGUAL, TEXT.map(lambda text: {"zh": text, "en": text}))
ANSWER_TEXT = TEXT.map(str.strip).filter(bool)
NUMBER = st.one_of(
    st.integers(-(10**9), 10**9),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
)
# A unit: the same in both languages ("%"), or a Chinese one and an English one
# (Moodle's unit names have no language: a name with Chinese in it is the zh one).
UNIT = st.one_of(
    st.text(alphabet=string.ascii_letters + "%$ ", min_size=1, max_size=8)
    .filter(str.strip)
    .map(lambda text: {"zh": text, "en": text}),
    st.fixed_dictionaries(
        {
            "zh": st.text(alphabet="秒帧位年十亿美元", min_size=1, max_size=4),
            "en": st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
        }
    ),
)
TYPES = ("single", "multiple", "true_false", "claim", "numeric", "short_text")


@st.composite
def contents(draw, kind: str | None = None) -> dict:
    """A question's canonical content (what ``read_question`` returns) of any type."""
    kind = kind or draw(st.sampled_from(TYPES))
    content = {
        "type": kind,
        "status": draw(st.sampled_from(["published", "draft", "retired"])),
        "difficulty": draw(st.integers(1, 3)),
        "tags": draw(st.lists(st.sampled_from(["sora-limits", "physics", "deepfakes"]))),
        "prompt": draw(SAME_OR_BILINGUAL),
        "explanation": draw(SAME_OR_BILINGUAL),
    }
    if kind in ("single", "multiple"):
        count = draw(st.integers(2 if kind == "single" else 3, 8))
        content["choices"] = []
        for index in range(count):
            choice = {"id": string.ascii_lowercase[index], "text": draw(SAME_OR_BILINGUAL)}
            if draw(st.booleans()):
                choice["feedback"] = draw(BILINGUAL)
            content["choices"].append(choice)
        ids = [choice["id"] for choice in content["choices"]]
        if kind == "single":
            content["answer"] = draw(st.sampled_from(ids))
        else:
            right = draw(st.sets(st.sampled_from(ids), min_size=1, max_size=count - 1))
            content["answer"] = [choice for choice in ids if choice in right]
    else:
        answers = {
            "true_false": st.booleans(),
            "claim": st.sampled_from(["supported", "not_supported"]),
            "numeric": st.fixed_dictionaries(
                {"value": NUMBER, "tolerance": st.sampled_from([0, 0.5, 2, 0.001])},
                optional={"unit": UNIT},
            ),
            "short_text": st.lists(
                ANSWER_TEXT, min_size=1, max_size=4, unique_by=lambda text: text.casefold()
            ),
        }
        content["answer"] = draw(answers[kind])
        if draw(st.booleans()):
            content["wrong_feedback"] = draw(BILINGUAL)
    quotes = ["一个人咬了一口饼干", "Sora并非毫无弱点", "“深度伪造”引发担忧"]
    content["sources"] = [
        {"doc": "huanqiu-2024-02", "exact": quote}
        | ({"gloss": {"en": draw(TEXT)}} if draw(st.booleans()) else {})
        for quote in draw(st.lists(st.sampled_from(quotes), min_size=1, max_size=3, unique=True))
    ]
    return content


@st.composite
def generated_banks(draw) -> OutgoingBank:
    """A bank of one to five questions of any types, with question ids as banks write them."""
    count = draw(st.integers(1, 5))
    words = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8)
    questions = [(f"q{index}-{draw(words)}", draw(contents())) for index in range(count)]
    return outgoing("generated", questions)


def words(text: str) -> str:
    """A text as the format keeps it: white space collapsed (HTML does not keep it)."""
    return " ".join(text.split())


def kept(text: dict) -> dict:
    return {language: words(value) for language, value in text.items()}


# --- what Moodle's importer reads -----------------------------------------------------

#: Moodle's grade steps (question_bank::fraction_options_full), as fractions of 1:
#: an imported answer's fraction must be one of them (``match_grade_options``).
MOODLE_GRADES = [
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
    0.0,
]
TEXT_FORMATS = {"html", "moodle_auto_format", "plain_text", "markdown", "wiki_like"}


def moodle_fraction(answer: ET.Element) -> float:
    """The answer's fraction as Moodle reads it, checked against its grade steps."""
    fraction = float(answer.get("fraction", "0")) / 100
    assert any(abs(abs(fraction) - grade) < 0.00001 for grade in MOODLE_GRADES), fraction
    return fraction


def formatted_text(element: ET.Element | None, where: str) -> str:
    """A ``<x format="..."><text>...</text></x>`` field: its text (HTML)."""
    assert element is not None, f"{where}: missing"
    assert element.get("format", "html") in TEXT_FORMATS, where
    text = element.find("text")
    assert text is not None, f"{where}: no <text>"
    return text.text or ""


def check_as_moodle_reads(data: bytes) -> list[ET.Element]:
    """Check a Moodle XML file the way ``qformat_xml::readquestions`` reads it.

    For every ``<question>`` under ``<quiz>``:

    - category: ``category/text`` (the path; ``$course$/...``), ``info[@format]/text``;
    - every other question (``import_headers``): ``name/text`` (not empty: Moodle
      refuses a question without a name), ``questiontext[@format]/text`` (not
      empty), ``generalfeedback[@format]/text``, ``defaultgrade`` and ``penalty``
      (numbers; the penalty from 0 to 1), ``hidden`` (0 or 1);
    - ``multichoice`` (``import_multichoice``): ``single``, ``shuffleanswers``
      (true/false), ``answernumbering`` (one of Moodle's styles), the combined
      feedback (``correctfeedback``, ``partiallycorrectfeedback``,
      ``incorrectfeedback``, each ``[@format]/text``), and at least two
      ``answer[@fraction]/text`` each with ``feedback[@format]/text``. Every
      fraction is one of Moodle's grade steps (``match_grade_options``, exact
      to 0.00001); a one-answer question has its best answer at 100 %; in a
      several-answer question the positive fractions add up to 100 % (rounded
      to 2 places, as ``qtype_multichoice::save_question_options`` checks);
    - ``truefalse`` (``import_truefalse``): exactly two answers whose texts
      are ``true`` and ``false``, one at 100 % and the other at 0, each with
      ``feedback/text``;
    - ``numerical`` (``import_numerical``): answers whose ``text`` is a number
      or ``*``, each with ``tolerance`` (a number) and ``feedback/text``, one at
      100 %; ``units/unit`` each with ``multiplier`` and ``unit_name`` (the
      first multiplier 1); ``unitgradingtype``, ``unitpenalty``, ``showunits``,
      ``unitsleft``;
    - ``shortanswer`` (``import_shortanswer``): ``usecase`` (0 or 1) and
      answers with ``text`` (no unescaped ``*`` in a fully right one but the
      catch-all) and ``feedback/text``, at least one at 100 %.

    Returns the real questions (not the category).
    """
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    questions = []
    for question in root:
        assert question.tag == "question"
        kind = question.get("type")
        if kind == "category":
            assert (question.findtext("category/text") or "").startswith("$course$/")
            formatted_text(question.find("info"), "category info")
            continue
        questions.append(question)
        name = question.findtext("name/text")
        assert name and name.strip(), "a question needs a name"
        assert formatted_text(question.find("questiontext"), f"{name} questiontext").strip()
        formatted_text(question.find("generalfeedback"), f"{name} generalfeedback")
        assert float(question.findtext("defaultgrade")) > 0
        assert 0 <= float(question.findtext("penalty")) <= 1
        assert question.findtext("hidden") in ("0", "1")
        answers = question.findall("answer")
        for answer in answers:
            assert answer.find("text") is not None, f"{name}: an answer without <text>"
            formatted_text(answer.find("feedback"), f"{name} answer feedback")
        fractions = [moodle_fraction(answer) for answer in answers]
        texts = [answer.findtext("text") or "" for answer in answers]
        if kind == "multichoice":
            single = question.findtext("single")
            assert single in ("true", "false")
            assert question.findtext("shuffleanswers") in ("true", "false")
            assert question.findtext("answernumbering") in (
                "abc",
                "ABCD",
                "123",
                "iii",
                "IIII",
                "none",
            )
            for field in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
                formatted_text(question.find(field), f"{name} {field}")
            assert len(answers) >= 2
            assert all(text.strip() for text in texts)
            if single == "true":
                assert max(fractions) == 1.0
            else:
                assert round(sum(f for f in fractions if f > 0), 2) == 1.0
        elif kind == "truefalse":
            assert sorted(texts) == ["false", "true"]
            assert sorted(fractions) == [0.0, 1.0]
        elif kind == "numerical":
            assert 1.0 in fractions
            for answer, text in zip(answers, texts, strict=True):
                assert text == "*" or math.isfinite(float(text))
                assert float(answer.findtext("tolerance")) >= 0
            units = question.findall("units/unit")
            for unit in units:
                assert float(unit.findtext("multiplier")) > 0
                assert (unit.findtext("unit_name") or "").strip()
            if units:
                assert float(units[0].findtext("multiplier")) == 1
            for field in ("unitgradingtype", "unitpenalty", "showunits", "unitsleft"):
                assert question.findtext(field) is not None, f"{name}: {field}"
        elif kind == "shortanswer":
            assert question.findtext("usecase") in ("0", "1")
            assert 1.0 in fractions
            for text, fraction in zip(texts, fractions, strict=True):
                assert text.strip()
                if fraction == 1.0:
                    assert "*" not in text.replace("\\*", "")
        else:
            pytest.fail(f"{name}: unexpected type {kind}")
    return questions


def moodle_score(question: ET.Element, picked: set[int]) -> float:
    """What Moodle gives for the picked answers of a several-answer question:
    the sum of their fractions, from 0 to 1."""
    fractions = [float(answer.get("fraction")) / 100 for answer in question.findall("answer")]
    return min(1.0, max(0.0, sum(fractions[index] for index in picked)))


# --- export ---------------------------------------------------------------------------


def test_every_shipped_bank_exports_as_moodle_reads_it(shipped, catalog):
    """Every shipped bank exports; every question Moodle can hold is written,
    and the others are skipped with a reason."""
    for bank in shipped_banks(shipped, catalog):
        exported = moodle_xml.write(bank)
        assert exported.filename == f"{bank.slug}.moodle.xml"
        assert exported.media_type == "application/xml"
        keys = [key for key, _ in bank.questions]
        assert sorted(exported.written + [s.key for s in exported.skipped]) == sorted(keys)
        for skipped in exported.skipped:
            assert skipped.type == "numeric" and "month" in skipped.reason
        questions = check_as_moodle_reads(exported.data)
        assert [q.findtext("name/text") for q in questions] == exported.written


def test_a_shipped_bank_keeps_its_languages_feedback_and_citations(shipped, catalog):
    """The starter bank's file carries both languages, each choice's feedback,
    the explanation, the cited passage and the link to it."""
    bank = next(b for b in shipped_banks(shipped, catalog) if b.slug == "starter")
    root = ET.fromstring(moodle_xml.write(bank).data)
    category = root.find("question[@type='category']")
    assert category.findtext("category/text") == "$course$/quizapp/starter"
    cookie = next(q for q in root if q.findtext("name/text") == "cookie-bite")
    text = cookie.findtext("questiontext/text")
    assert '<span lang="zh" class="multilang">' in text
    assert '<span lang="en" class="multilang">' in text
    feedback = cookie.findtext("generalfeedback/text")
    assert "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。" in feedback
    assert 'href="https://quiz.example/sources/huanqiu-2024-02#passage"' in feedback
    assert "Read it in the article" in feedback
    assert "Youth Daily" in cookie.find("answer").findtext("feedback/text")


def test_a_month_answer_is_skipped_with_a_reason():
    content = {
        "type": "numeric",
        "prompt": {"zh": "几号？", "en": "Which day?"},
        "explanation": {"zh": "三月一日。", "en": "March 1."},
        "answer": {"value": 1, "tolerance": 0, "month": 3},
        "sources": [],
    }
    exported = moodle_xml.write(outgoing("dates", [("which-day", content)]))
    assert exported.written == []
    (skipped,) = exported.skipped
    assert (skipped.key, skipped.type) == ("which-day", "numeric")
    assert "month" in skipped.reason
    assert check_as_moodle_reads(exported.data) == []


def test_several_answers_are_graded_as_quizapp_grades_them():
    """Moodle's sum of the picked fractions (0 to 1) is our score for every pick."""
    content = {
        "type": "multiple",
        "prompt": {"zh": "选出", "en": "Pick"},
        "explanation": {"zh": "说明", "en": "Because"},
        "choices": [{"id": c, "text": {"zh": c, "en": c.upper()}} for c in "abcdefg"],
        "answer": ["a", "c", "f"],
        "sources": [],
    }
    (question,) = check_as_moodle_reads(moodle_xml.write(outgoing("m", [("m", content)])).data)
    ids = "abcdefg"
    for size in range(len(ids) + 1):
        for picked in itertools.combinations(range(len(ids)), size):
            ours = REGISTRY["multiple"].grade(content["answer"], [ids[i] for i in picked])
            assert moodle_score(question, set(picked)) == pytest.approx(ours, abs=1e-6)


def test_a_claim_carries_its_passage_and_both_verdicts():
    content = {
        "type": "claim",
        "prompt": {"zh": "饼干一定没有咬痕。", "en": "The cookie never shows a bite."},
        "explanation": {"zh": "原文说可能。", "en": "The passage says may."},
        "answer": "not_supported",
        "wrong_feedback": {"zh": "“可能”变成了“一定”。", "en": "May became never."},
        "sources": [{"doc": "huanqiu-2024-02", "exact": "饼干可能没有咬痕", "gloss": {"en": "G"}}],
    }
    (question,) = check_as_moodle_reads(moodle_xml.write(outgoing("c", [("c", content)])).data)
    assert question.get("type") == "multichoice" and question.findtext("single") == "true"
    assert "饼干可能没有咬痕" in question.findtext("questiontext/text")
    answers = question.findall("answer")
    assert "Supported by the passage" in answers[0].findtext("text")
    assert "文中无依据" in answers[1].findtext("text")
    assert [a.get("fraction") for a in answers] == ["0", "100"]
    assert "May became never." in question.findtext("incorrectfeedback/text")
    assert "May became never." in answers[0].findtext("feedback/text")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=generated_banks())
def test_generated_banks_export_as_moodle_reads_them(bank):
    exported = moodle_xml.write(bank)
    questions = check_as_moodle_reads(exported.data)
    assert len(questions) == len(exported.written) == len(bank.questions)


# --- the round trip ------------------------------------------------------------------


def assert_round_trip(key: str, content: dict, imported: dict) -> None:
    """What the format keeps comes back: type, texts, choices, answer, feedback."""
    assert imported["id"] == key
    assert imported["status"] == "draft"
    assert imported["type"] == content["type"]
    assert "sources" not in imported
    assert imported["prompt"] == kept(content["prompt"])
    assert imported["explanation"] == kept(content["explanation"])
    if content.get("wrong_feedback"):
        assert imported["wrong_feedback"] == kept(content["wrong_feedback"])
    else:
        assert "wrong_feedback" not in imported
    kind = content["type"]
    if kind in ("single", "multiple"):
        assert [c["text"] for c in imported["choices"]] == [
            kept(c["text"]) for c in content["choices"]
        ]
        assert [c.get("feedback") for c in imported["choices"]] == [
            kept(c["feedback"]) if c.get("feedback") else None for c in content["choices"]
        ]
        position = {c["id"]: i for i, c in enumerate(content["choices"])}
        ids = [c["id"] for c in imported["choices"]]
        expected = content["answer"]
        if kind == "single":
            assert imported["answer"] == ids[position[expected]]
        else:
            assert imported["answer"] == [ids[position[choice]] for choice in expected]
    elif kind == "numeric":
        answer = dict(imported["answer"])
        assert answer.pop("value") == content["answer"]["value"]
        assert answer.pop("tolerance") == content["answer"]["tolerance"]
        unit = content["answer"].get("unit")
        assert answer == ({"unit": kept(unit)} if unit else {})
    else:
        assert imported["answer"] == content["answer"]


def round_trip(bank: OutgoingBank):
    exported = moodle_xml.write(bank)
    incoming = moodle_xml.read(exported.data, exported.filename)
    assert incoming.problems == []
    assert incoming.unsupported == []
    assert len(incoming.questions) == len(exported.written) == len(incoming.lines)
    contents_by_key = dict(bank.questions)
    for key, imported in zip(exported.written, incoming.questions, strict=True):
        assert_round_trip(key, contents_by_key[key], imported)
    return exported, incoming


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=generated_banks())
def test_generated_banks_come_back_as_they_went(bank):
    """Ours -> Moodle XML -> ours keeps every type (claims too), both languages,
    choices, answers, per-choice and wrong-answer feedback and the explanation."""
    round_trip(bank)


def test_every_shipped_bank_comes_back_as_it_went(shipped, catalog):
    for bank in shipped_banks(shipped, catalog):
        exported, incoming = round_trip(bank)
        data = exported.data.decode()
        # Each imported question's line is its <question> element's.
        for key, line in zip(exported.written, incoming.lines, strict=True):
            lines = data.splitlines()
            assert lines[line - 1].strip().startswith("<question")
            assert lines[line + 1].strip() == f"<text>{key}</text>"


# --- import -----------------------------------------------------------------------------

FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Week 1</text></category>
  </question>
  <question type="multichoice">
    <name><text>Capital of France</text></name>
    <questiontext format="html"><text><![CDATA[<p>What is the capital of <b>France</b>?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>Paris has been the capital since 987.</text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade><penalty>0.3333333</penalty><hidden>0</hidden>
    <single>true</single><shuffleanswers>true</shuffleanswers><answernumbering>abc</answernumbering>
    <answer fraction="100" format="html"><text>Paris</text><feedback format="html"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="html"><text>Lyon</text><feedback format="html"><text>No.</text></feedback></answer>
    <answer fraction="50" format="html"><text>Versailles</text><feedback format="html"><text></text></feedback></answer>
  </question>
  <question type="essay">
    <name><text>Write about it</text></name>
    <questiontext format="html"><text>Discuss.</text></questiontext>
  </question>
  <question type="multichoice">
    <name><text>Primes</text></name>
    <questiontext format="html"><text><![CDATA[<span lang="zh_cn" class="multilang">哪些是质数？</span><span lang="en" class="multilang">Which are prime?</span>]]></text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <single>false</single>
    <answer fraction="50"><text>2</text></answer>
    <answer fraction="50"><text>3</text></answer>
    <answer fraction="-100"><text>4</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Sky</text></name>
    <questiontext format="moodle_auto_format"><text>The sky is green.</text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text>Look up.</text></feedback></answer>
    <answer fraction="100"><text>false</text><feedback><text>Right.</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Pairs</text></name>
  </question>
  <question type="numerical">
    <name><text>Pi</text></name>
    <questiontext format="html"><text>Pi to two places?</text></questiontext>
    <answer fraction="100"><text>3.14</text><tolerance>0.005</tolerance></answer>
    <answer fraction="0"><text>*</text><feedback><text>About 3.14.</text></feedback></answer>
    <units><unit><multiplier>1</multiplier><unit_name>rad</unit_name></unit>
      <unit><multiplier>1000</multiplier><unit_name>mrad</unit_name></unit></units>
  </question>
  <question type="shortanswer">
    <name><text>AI 换脸</text></name>
    <questiontext format="plain_text"><text>深度伪造的英文是什么？ a &lt; b</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>deepfake</text></answer>
    <answer fraction="100"><text>deep\\*fake</text></answer>
    <answer fraction="50"><text>fake</text></answer>
  </question>
  <question type="cloze">
    <name><text>Gaps</text></name>
  </question>
  <question type="ddwtos"><name><text>Drag</text></name></question>
</quiz>
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line holding ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence - 1]


def test_a_moodle_file_imports_as_drafts_with_their_lines():
    incoming = moodle_xml.read(FOREIGN.encode(), "week1.xml")
    assert incoming.problems == []
    capital, primes, sky, pi, short = incoming.questions
    assert capital == {
        "id": "capital-of-france",
        "type": "single",
        "status": "draft",
        "difficulty": 1,
        "prompt": {"zh": "What is the capital of France?", "en": "What is the capital of France?"},
        "choices": [
            {
                "id": "a",
                "text": {"zh": "Paris", "en": "Paris"},
                "feedback": {"zh": "Yes.", "en": "Yes."},
            },
            {
                "id": "b",
                "text": {"zh": "Lyon", "en": "Lyon"},
                "feedback": {"zh": "No.", "en": "No."},
            },
            {"id": "c", "text": {"zh": "Versailles", "en": "Versailles"}},
        ],
        "answer": "a",
        "explanation": {
            "zh": "Paris has been the capital since 987.",
            "en": "Paris has been the capital since 987.",
        },
    }
    assert primes["type"] == "multiple"
    assert primes["prompt"] == {"zh": "哪些是质数？", "en": "Which are prime?"}
    assert primes["answer"] == ["a", "b"]
    assert "explanation" not in primes
    assert (sky["type"], sky["answer"]) == ("true_false", False)
    assert sky["wrong_feedback"] == {"zh": "Look up.", "en": "Look up."}
    assert pi["answer"] == {"value": 3.14, "tolerance": 0.005, "unit": {"zh": "rad", "en": "rad"}}
    assert pi["wrong_feedback"] == {"zh": "About 3.14.", "en": "About 3.14."}
    assert short["id"] == "ai"
    assert short["prompt"] == {
        "zh": "深度伪造的英文是什么？ a < b",
        "en": "深度伪造的英文是什么？ a < b",
    }
    assert short["answer"] == ["deepfake", "deep*fake"]
    names = ["Capital of France", "Primes", "Sky", "Pi", "AI 换脸"]
    assert incoming.lines == [line_of(FOREIGN, "<name><text>" + name) - 1 for name in names]
    assert [(u.kind, u.line) for u in incoming.unsupported] == [
        ("essay", line_of(FOREIGN, 'type="essay"')),
        ("matching", line_of(FOREIGN, 'type="matching"')),
        ("cloze", line_of(FOREIGN, 'type="cloze"')),
        ("ddwtos", line_of(FOREIGN, 'type="ddwtos"')),
    ]
    assert all(u.file == "week1.xml" and u.reason for u in incoming.unsupported)


def quiz(*questions: str) -> bytes:
    return ("<quiz>\n" + "\n".join(questions) + "\n</quiz>\n").encode()


def test_an_imported_claim_of_ours_is_a_claim_again():
    claim = """<question type="multichoice"><name><text>c1</text></name>
<questiontext format="html"><text><![CDATA[<p>Stated.</p><blockquote lang="zh">原文</blockquote>]]></text></questiontext>
<single>true</single>
<answer fraction="0"><text>Supported by the passage</text></answer>
<answer fraction="100"><text>Not supported by the passage</text>
<feedback><text>It changed a word.</text></feedback></answer>
</question>"""
    (question,) = moodle_xml.read(quiz(claim), "c.xml").questions
    assert question["type"] == "claim"
    assert question["prompt"] == {"zh": "Stated.", "en": "Stated."}
    assert question["answer"] == "not_supported"
    assert "choices" not in question and "wrong_feedback" not in question


@pytest.mark.parametrize(
    ("question", "message", "line"),
    [
        (
            '<question type="multichoice"><name><text>n</text></name>\n'
            "<questiontext><text>Q?</text></questiontext>\n"
            '<answer fraction="0"><text>a</text></answer>\n'
            '<answer fraction="0"><text>b</text></answer></question>',
            "no answer is right",
            2,
        ),
        (
            '<question type="numerical"><name><text>n</text></name>\n'
            "<questiontext><text>Q?</text></questiontext>\n"
            '<answer fraction="100"><text>three</text></answer></question>',
            "'three' is not a number",
            4,
        ),
        (
            '<question type="shortanswer"><name><text>n</text></name>\n'
            '<answer fraction="100"><text>yes</text></answer></question>',
            "the question has no text",
            2,
        ),
        (
            '<question type="truefalse"><name><text>n</text></name>\n'
            "<questiontext><text>Q?</text></questiontext></question>",
            "has no <answer>",
            2,
        ),
        (
            '<question type="multichoice"><name><text>n</text></name>\n'
            "<questiontext><text>Q?</text></questiontext>\n"
            '<answer fraction="lots"><text>a</text></answer></question>',
            "fraction 'lots' is not a number",
            4,
        ),
        ("<question><name><text>n</text></name></question>", "without a type", 2),
    ],
)
def test_a_question_that_cannot_be_read_is_a_problem_at_its_line(question, message, line):
    incoming = moodle_xml.read(quiz(question), "bad.xml")
    (problem,) = incoming.problems
    assert message in problem.message
    assert (problem.file, problem.line) == ("bad.xml", line)


def test_what_quizapp_cannot_hold_is_listed_not_dropped():
    several_best = (
        '<question type="multichoice"><name><text>n</text></name>'
        "<questiontext><text>Q?</text></questiontext><single>true</single>"
        '<answer fraction="100"><text>a</text></answer>'
        '<answer fraction="100"><text>b</text></answer></question>'
    )
    wildcard = (
        '<question type="shortanswer"><name><text>w</text></name>'
        "<questiontext><text>Q?</text></questiontext>"
        '<answer fraction="100"><text>deep*</text></answer></question>'
    )
    incoming = moodle_xml.read(quiz(several_best, wildcard, "<question type='calculated'/>"), "f")
    assert incoming.problems == [] and incoming.questions == []
    assert [(u.kind, u.line) for u in incoming.unsupported] == [
        ("multichoice", 2),
        ("shortanswer", 3),
        ("calculated", 4),
    ]
    assert "wildcard" in incoming.unsupported[1].reason


def test_malformed_xml_is_a_problem_at_the_parsers_line():
    data = b"<quiz>\n<question type='truefalse'>\n<name><text>x</name>\n</question>\n</quiz>\n"
    (problem,) = moodle_xml.read(data, "broken.xml").problems
    assert (problem.file, problem.line) == ("broken.xml", 3)
    assert "not well-formed" in problem.message and "mismatched tag" in problem.message


def test_a_file_that_is_not_moodle_xml_is_a_problem():
    (problem,) = moodle_xml.read(b'<?xml version="1.0"?>\n\n<html/>', "page.xml").problems
    assert problem.line == 3
    assert problem.message.startswith("not a Moodle XML file")


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="shortanswer"><questiontext><text>&lol3;</text></questiontext></question></quiz>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://example.invalid/evil.dtd">
<quiz/>
"""


@pytest.mark.parametrize("data", [LAUGHS, EXTERNAL])
def test_a_doctype_or_entity_is_refused_before_anything_expands(data):
    incoming = moodle_xml.read(data.encode(), "evil.xml")
    (problem,) = incoming.problems
    assert problem.line == 2
    assert "DOCTYPE" in problem.message
    assert incoming.questions == [] and incoming.unsupported == []


def test_an_undeclared_entity_is_a_problem():
    data = b"<quiz>\n<question type='essay'>&nbsp;</question>\n</quiz>"
    (problem,) = moodle_xml.read(data, "f.xml").problems
    assert problem.line == 2 and "undefined entity" in problem.message


@settings(max_examples=50, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=300), TEXT.map(lambda text: f"<quiz>{text}</quiz>".encode()))
)
def test_any_bytes_are_read_without_an_exception(data):
    incoming = moodle_xml.read(data, "random.xml")
    for problem in incoming.problems:
        assert problem.line >= 1 and problem.column >= 1


@settings(max_examples=50, deadline=None)
@given(bank=generated_banks(), cut=st.integers(0, 10_000))
def test_a_cut_export_fails_cleanly(bank, cut):
    """An export cut short anywhere is read without an exception: a problem, or questions."""
    data = moodle_xml.write(bank).data
    incoming = moodle_xml.read(data[: cut % (len(data) + 1)], "cut.xml")
    assert incoming.problems or len(incoming.questions) == len(incoming.lines)


FIELD = st.text(alphabet=string.printable + "测试", max_size=12).map(escape)


@settings(max_examples=50, deadline=None)
@given(
    kind=st.sampled_from(["multichoice", "truefalse", "numerical", "shortanswer", "category"]),
    fraction=st.one_of(st.sampled_from(["100", "0", "-50", "", "nan", "1e400"]), FIELD),
    text=FIELD,
    tolerance=st.one_of(st.sampled_from(["0", "-1", "inf", "9" * 5000]), FIELD),
    single=st.sampled_from(["true", "false", "", "0"]),
)
def test_odd_values_in_a_question_are_read_without_an_exception(
    kind, fraction, text, tolerance, single
):
    question = (
        f'<question type="{kind}"><name><text>{text}</text></name>'
        f"<questiontext><text>{text}</text></questiontext><single>{single}</single>"
        f'<answer fraction="{fraction}"><text>{text}</text><tolerance>{tolerance}</tolerance>'
        f"<feedback><text>{text}</text></feedback></answer>"
        f'<answer fraction="100"><text>{text}</text></answer>'
        f"<units><unit><multiplier>{tolerance}</multiplier><unit_name>{text}</unit_name></unit></units>"
        "</question>"
    )
    incoming = moodle_xml.read(quiz(question), "odd.xml")
    assert len(incoming.questions) == len(incoming.lines)
    for problem in incoming.problems:
        assert problem.line >= 2  # the question's line, or its answer's
