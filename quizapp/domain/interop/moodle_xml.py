"""Moodle XML: the question bank format of Moodle (``qformat_xml``), out and in.

Going out, a bank becomes one ``<quiz>``: a ``<question type="category">``
(``$course$/quizapp/<bank id>``), then one ``<question>`` per question.

What it keeps:

- the types: ``single`` and ``multiple`` (``multichoice``), ``true_false``
  (``truefalse``), ``numeric`` (``numerical``: the value, the tolerance and the
  unit, as optional units), ``short_text`` (``shortanswer``, not case
  sensitive: one fully right answer per accepted text) and ``claim`` (a
  one-answer ``multichoice`` with the two answers "Supported by the passage"
  and "Not supported by the passage", with the cited passage in the question
  text, so the learner can judge the statement against it as in quizapp);
- both languages of every text, as the spans of Moodle's multi-language
  content filter (without the filter, Moodle shows both);
- the feedback on each choice; ``wrong_feedback`` as Moodle can say it: the
  wrong answer's feedback (true/false, claims, whose "incorrect" feedback
  says it too) or the feedback of a catch-all ``*`` answer worth nothing
  (numeric and short answers);
- the explanation, each cited passage with its gloss, outlet and date, and a
  link to it in the app's source viewer, in the general feedback;
- our grading of several answers: each right pick ``100/n`` per cent, each
  wrong pick ``-100/n`` (``n`` the number of right answers), so Moodle's
  total, never below 0, is our score;
- the question id (``<name>``) and the tags.

What it loses: difficulty, learning objective, check form, time limit and
status (every question is written visible); the passages as selectors (the
general feedback shows them as text); how quizapp reads a typed answer
(Moodle compares short answers ignoring only letter case, and reads numbers
without our dates or word numbers). A ``numeric`` question whose answer is a
day of a month is skipped: Moodle's numbers have no month.

Coming in, ``multichoice`` (one right answer: ``single``; several, or
``<single>false</single>``: ``multiple``), ``truefalse``, ``numerical`` and
``shortanswer`` questions become draft questions without a citation; our own
claims (two answers, "Supported by the passage" and "Not supported by the
passage") come back as claims. The texts' languages come from multi-language
spans (a text in one language is put in both). The general feedback is the
explanation, up to the cited passages quizapp writes after it
(``<blockquote lang="zh">``): the passages are cited again in the editor.

What an import loses: the file's weights (quizapp grades several right
answers its own way: each right pick ``+1/n``, each wrong pick ``-1/n``,
never below 0; a one-answer question keeps only its best answer, partly
right answers are dropped), the feedback on the right answer of true/false
and typed questions and on any typed answer but the catch-all ``*``,
numerical answers other than the first fully right one, units with a
multiplier other than 1, penalties, marks, hints, tags, images and files.
Every other Moodle type (essay, matching, cloze, description, calculated,
drag and drop, ...) is listed as unsupported, with its line, and not taken;
a short answer accepted by a wildcard pattern (``*``) is too.

A file with a DOCTYPE or an entity declaration is refused (no entity
expansion, nothing is ever fetched); malformed XML is refused with the line
the XML parser stopped at.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import escape
from xml.parsers import expat

from quizapp.domain.interop.common import (
    CLAIM_ANSWERS,
    Citation,
    Exported,
    Incoming,
    OutgoingBank,
    Skipped,
    Unsupported,
    choice_id,
    claim_verdicts,
    feedback_text,
    from_multilang,
    has_cjk,
    in_bank_order,
    multilang,
    plain_text,
    question_id,
)

MEDIA_TYPE = "application/xml"

#: Moodle's "true" and "false" words shown to the learner are its own; the
#: file's answer texts are these.
TRUE_FALSE = ("true", "false")

#: The penalty for each wrong try in Moodle's interactive modes, as Moodle
#: writes its defaults: a third for several answers, all of it for two.
PENALTY_MANY = "0.3333333"
PENALTY_TWO = "1.0000000"

#: A fully right answer's fraction (Moodle's 100 %, read as a float).
FULL = 1 - 1e-9

#: Characters XML 1.0 cannot hold at all (not even escaped).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- going out -------------------------------------------------------------------


def write(bank: OutgoingBank) -> Exported:
    """The bank as a Moodle XML file; questions Moodle cannot hold are skipped, with why."""
    quiz = ET.Element("quiz")
    quiz.append(_category(bank))
    written, skipped = [], []
    for key, content in bank.questions:
        kind = content.get("type")
        reason = _cannot_write(content)
        if reason:
            skipped.append(Skipped(key, kind, reason))
            continue
        quiz.append(WRITERS[kind](key, content, bank.cite))
        written.append(key)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(_serialize(quiz)) + "\n"
    return Exported(text.encode("utf-8"), f"{bank.slug}.moodle.xml", MEDIA_TYPE, written, skipped)


def _serialize(element: ET.Element, depth: int = 0) -> list[str]:
    """The element's lines as Moodle writes them: indented, markup in CDATA sections."""
    pad = "  " * depth
    attributes = "".join(f' {name}="{escape(value)}"' for name, value in element.attrib.items())
    if len(element) == 0:
        return [f"{pad}<{element.tag}{attributes}>{_cdata(element.text or '')}</{element.tag}>"]
    lines = [f"{pad}<{element.tag}{attributes}>"]
    for child in element:
        lines.extend(_serialize(child, depth + 1))
    lines.append(f"{pad}</{element.tag}>")
    return lines


def _cdata(text: str) -> str:
    """Text with markup in a CDATA section (split where it holds ``]]>``), else as it is."""
    if not re.search("[<>&]", text):
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _cannot_write(content: dict) -> str | None:
    """Why Moodle XML cannot hold this question, or None."""
    kind = content.get("type")
    if kind not in WRITERS:
        return f"Moodle XML has no question type for '{kind}'"
    if kind == "numeric" and content["answer"].get("month") is not None:
        return (
            "the answer is a day of a month; Moodle's numerical questions read a plain "
            "number and cannot tell March 1 from February 1"
        )
    return None


def _category(bank: OutgoingBank) -> ET.Element:
    """The category the questions are imported into, named after the bank."""
    question = ET.Element("question", type="category")
    _sub(ET.SubElement(question, "category"), "text", f"$course$/quizapp/{bank.slug}")
    info = ET.SubElement(question, "info", format="html")
    title = f"<p>{multilang(bank.title)}</p>"
    _sub(info, "text", title + f"<p>{multilang(bank.description)}</p>")
    return question


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def _rich(parent: ET.Element, tag: str, html: str, **attributes) -> ET.Element:
    """``<tag format="html"><text>html</text></tag>``: Moodle's formatted text."""
    element = ET.SubElement(parent, tag, {**attributes, "format": "html"})
    _sub(element, "text", html)
    return element


def _paragraph(text: dict | None) -> str:
    return f"<p>{multilang(text)}</p>" if text else ""


def _header(key: str, content: dict, cite, moodle_type: str, text: str, penalty: str):
    """What every question has: name, text, general feedback, mark, penalty."""
    question = ET.Element("question", type=moodle_type)
    _sub(ET.SubElement(question, "name"), "text", key)
    _rich(question, "questiontext", text)
    _rich(question, "generalfeedback", feedback_text(content, cite, html=True))
    _sub(question, "defaultgrade", "1")
    _sub(question, "penalty", penalty)
    _sub(question, "hidden", "0")
    return question


def _answer(parent, fraction: str, text: str, feedback: str, text_format="html"):
    answer = _sub(parent, "answer", fraction=fraction, format=text_format)
    _sub(answer, "text", text)
    _rich(answer, "feedback", feedback)
    return answer


def _percent(share: float) -> str:
    """A fraction of the mark as Moodle writes it (one of its grade steps: 33.33333)."""
    return f"{100 * share:.5f}".rstrip("0").rstrip(".")


def _choice_options(question: ET.Element, single: bool, shuffle: bool, wrong: str = ""):
    _sub(question, "single", "true" if single else "false")
    _sub(question, "shuffleanswers", "true" if shuffle else "false")
    _sub(question, "answernumbering", "abc")
    _sub(question, "showstandardinstruction", "1")
    for field, text in (
        ("correctfeedback", ""),
        ("partiallycorrectfeedback", ""),
        ("incorrectfeedback", wrong),
    ):
        _rich(question, field, text)


def _tags(question: ET.Element, content: dict) -> ET.Element:
    if content.get("tags"):
        tags = ET.SubElement(question, "tags")
        for tag in content["tags"]:
            _sub(ET.SubElement(tags, "tag"), "text", tag)
    return question


def _write_choices(key: str, content: dict, cite) -> ET.Element:
    single = content["type"] == "single"
    penalty = PENALTY_TWO if len(content["choices"]) == 2 else PENALTY_MANY
    question = _header(key, content, cite, "multichoice", _paragraph(content["prompt"]), penalty)
    _choice_options(question, single, shuffle=True)
    right = {content["answer"]} if single else set(content["answer"])
    for choice in content["choices"]:
        if single:
            fraction = "100" if choice["id"] in right else "0"
        else:
            # Our grading: each right pick +1/n, each wrong pick -1/n (n right answers).
            fraction = _percent((1 if choice["id"] in right else -1) / len(right))
        _answer(question, fraction, multilang(choice["text"]), multilang(choice.get("feedback")))
    return _tags(question, content)


def _passages(content: dict, cite) -> str:
    """The cited passages shown with a claim, as quizapp shows them before it is answered."""
    pieces = []
    for source in content.get("sources", ()):
        citation: Citation = cite(source)
        pieces.append(f'<blockquote lang="zh">{escape(citation.exact, quote=False)}</blockquote>')
        if citation.gloss:
            pieces.append(f'<p lang="en">{escape(citation.gloss, quote=False)}</p>')
    return "".join(pieces)


def _write_claim(key: str, content: dict, cite) -> ET.Element:
    text = _paragraph(content["prompt"]) + _passages(content, cite)
    question = _header(key, content, cite, "multichoice", text, PENALTY_TWO)
    wrong = multilang(content.get("wrong_feedback"))
    _choice_options(question, single=True, shuffle=False, wrong=wrong)
    for verdict, words in CLAIM_ANSWERS.items():
        right = verdict == content["answer"]
        _answer(question, "100" if right else "0", multilang(words), "" if right else wrong)
    return _tags(question, content)


def _write_true_false(key: str, content: dict, cite) -> ET.Element:
    question = _header(key, content, cite, "truefalse", _paragraph(content["prompt"]), PENALTY_TWO)
    wrong = multilang(content.get("wrong_feedback"))
    for word in TRUE_FALSE:
        right = (word == "true") == content["answer"]
        feedback = "" if right else wrong
        _answer(question, "100" if right else "0", word, feedback, "moodle_auto_format")
    return _tags(question, content)


def _number(value: float) -> str:
    """A number as plain decimal digits (never ``1e-05``)."""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)), "f")


def _catch_all(question: ET.Element, content: dict) -> ET.Element | None:
    """Any other answer (``*``) is worth nothing and gets the wrong-answer feedback."""
    if not content.get("wrong_feedback"):
        return None
    feedback = multilang(content["wrong_feedback"])
    return _answer(question, "0", "*", feedback, "moodle_auto_format")


def _write_numeric(key: str, content: dict, cite) -> ET.Element:
    answer = content["answer"]
    text = _paragraph(content["prompt"])
    question = _header(key, content, cite, "numerical", text, PENALTY_MANY)
    right = _answer(question, "100", _number(answer["value"]), "", "moodle_auto_format")
    _sub(right, "tolerance", _number(answer["tolerance"]))
    other = _catch_all(question, content)
    if other is not None:
        _sub(other, "tolerance", "0")
    unit = answer.get("unit")
    names = list(dict.fromkeys(unit[language] for language in ("zh", "en"))) if unit else []
    if names:
        units = ET.SubElement(question, "units")
        for name in names:
            entry = ET.SubElement(units, "unit")
            _sub(entry, "multiplier", "1")
            _sub(entry, "unit_name", name)
    # Units, when there are any, are optional: the number alone is graded.
    _sub(question, "unitgradingtype", "0")
    _sub(question, "unitpenalty", "0.1000000")
    _sub(question, "showunits", "0" if names else "3")
    _sub(question, "unitsleft", "0")
    return _tags(question, content)


def _write_short_text(key: str, content: dict, cite) -> ET.Element:
    text = _paragraph(content["prompt"])
    question = _header(key, content, cite, "shortanswer", text, PENALTY_MANY)
    _sub(question, "usecase", "0")
    for accepted in content["answer"]:
        # In a Moodle short answer, * matches anything and \* is a star.
        _answer(question, "100", accepted.replace("*", "\\*"), "", "moodle_auto_format")
    _catch_all(question, content)
    return _tags(question, content)


WRITERS = {
    "single": _write_choices,
    "multiple": _write_choices,
    "claim": _write_claim,
    "true_false": _write_true_false,
    "numeric": _write_numeric,
    "short_text": _write_short_text,
}


# --- coming in -------------------------------------------------------------------


class _Refused(Exception):
    """The file declares a DOCTYPE or entities: refused before anything expands."""

    def __init__(self, what: str, line: int, column: int):
        super().__init__(what)
        self.what, self.line, self.column = what, line, column


def _parse(data: bytes, file: str, incoming: Incoming):
    """The file's element tree and each element's line, or None (with the problem)."""
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}

    def start(tag, attributes):
        lines[builder.start(tag, attributes)] = parser.CurrentLineNumber

    def refuse(what):
        def handler(*_args):
            raise _Refused(what, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

        return handler

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse("a DOCTYPE")
    parser.EntityDeclHandler = refuse("an entity declaration")
    parser.ExternalEntityRefHandler = refuse("an external entity")
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
        root = builder.close()
    except _Refused as refused:
        incoming.fail(
            file,
            refused.line,
            f"the file declares {refused.what}; Moodle XML needs none, and it is refused "
            "so that no entity can expand or be fetched",
            refused.column,
        )
        return None, lines
    except expat.ExpatError as error:
        message = expat.ErrorString(error.code)
        incoming.fail(file, error.lineno, f"not well-formed XML: {message}", error.offset + 1)
        return None, lines
    return root, lines


def read(data: bytes, file: str) -> Incoming:
    """A Moodle XML file's questions as draft questions (see the module's docstring)."""
    incoming = Incoming()
    root, lines = _parse(data, file, incoming)
    if root is None:
        return incoming
    if root.tag != "quiz":
        incoming.fail(file, lines.get(root, 1), f"not a Moodle XML file: <{root.tag}>, not <quiz>")
        return incoming
    taken: set[str] = set()
    for element in root:
        if element.tag != "question":
            continue
        line = lines.get(element, 1)
        kind = (element.get("type") or "").strip()
        if kind == "category":
            continue
        if not kind:
            incoming.fail(file, line, "a <question> without a type")
            continue
        reader = READERS.get(kind)
        if reader is None:
            incoming.unsupported.append(Unsupported(file, line, kind, _unsupported_reason(kind)))
            continue
        found = _Question(element, file, lines, incoming)
        question = reader(found)
        if found.unsupported:
            incoming.unsupported.append(Unsupported(file, line, kind, found.unsupported))
            continue
        if question is None or found.failed:
            continue
        prompt = question["prompt"]
        name = plain_text(element.findtext("name/text") or "")
        question["id"] = question_id(name or prompt.get("en") or prompt.get("zh", ""), taken)
        incoming.questions.append(in_bank_order(question))
        incoming.lines.append(line)
    return incoming


UNSUPPORTED = {
    "essay": "an essay is marked by hand; quizapp grades every answer itself",
    "matching": "quizapp has no matching questions",
    "match": "quizapp has no matching questions",
    "cloze": "quizapp has no cloze (embedded answers) questions",
    "multianswer": "quizapp has no cloze (embedded answers) questions",
    "description": "a description is text without a question",
    "calculated": "quizapp has no calculated questions (numbers drawn from formulas)",
    "calculatedsimple": "quizapp has no calculated questions (numbers drawn from formulas)",
    "calculatedmulti": "quizapp has no calculated questions (numbers drawn from formulas)",
    "ddwtos": "quizapp has no drag-and-drop questions",
    "ddimageortext": "quizapp has no drag-and-drop questions",
    "ddmarker": "quizapp has no drag-and-drop questions",
    "gapselect": "quizapp has no select-missing-words questions",
    "randomsamatch": "quizapp has no matching questions",
    "ordering": "quizapp has no ordering questions",
}


def _unsupported_reason(kind: str) -> str:
    return UNSUPPORTED.get(kind, f"quizapp has no question type like Moodle's '{kind}'")


def _both(text: dict) -> dict:
    """A text in one language is put in both (the import lists it for translating)."""
    if len(text) == 1:
        (words,) = text.values()
        return {"zh": words, "en": words}
    return text


class _Question:
    """One ``<question>`` being read: its texts, and where to report what is wrong."""

    def __init__(self, element: ET.Element, file: str, lines: dict, incoming: Incoming):
        self.element, self.file, self.lines, self.incoming = element, file, lines, incoming
        self.failed = False
        self.unsupported = ""

    def fail(self, element: ET.Element | None, message: str) -> None:
        line = self.lines.get(element if element is not None else self.element, 1)
        self.incoming.fail(self.file, line, message)
        self.failed = True

    def text(self, element: ET.Element | None, cut: str | None = None) -> dict:
        """A formatted text (``<x format><text>``) as {zh, en}; ``cut``: read up to it."""
        if element is None:
            return {}
        html = element.findtext("text") or ""
        if element.get("format") == "plain_text":
            html = escape(html, quote=False)
        if cut and cut in html:
            html = html[: html.index(cut)]
        return _both(from_multilang(html))

    def base(self, kind: str, text_cut: str | None = None) -> dict | None:
        """The fields every type has: prompt and explanation."""
        prompt = self.text(self.element.find("questiontext"), text_cut)
        if not prompt:
            self.fail(self.element.find("questiontext"), "the question has no text")
            return None
        question = {"type": kind, "status": "draft", "difficulty": 1, "prompt": prompt}
        explanation = self.text(self.element.find("generalfeedback"), '<blockquote lang="zh">')
        if explanation:
            question["explanation"] = explanation
        return question

    def answers(self) -> list[tuple[ET.Element, float]] | None:
        """Each ``<answer>`` with its fraction of the mark (0 to 1), or None."""
        found = []
        for answer in self.element.findall("answer"):
            raw = (answer.get("fraction") or "0").strip()
            try:
                fraction = float(raw) / 100
            except ValueError:
                fraction = math.nan
            if not math.isfinite(fraction):
                self.fail(answer, f"the answer's fraction '{raw}' is not a number")
                return None
            found.append((answer, fraction))
        if not found:
            self.fail(None, "the question has no <answer>")
            return None
        return found

    def feedback(self, answer: ET.Element) -> dict:
        return self.text(answer.find("feedback"))


def _read_multichoice(found: _Question) -> dict | None:
    answers = found.answers()
    if answers is None:
        return None
    texts = [found.text(answer) for answer, _ in answers]
    claim = claim_verdicts(texts)
    if claim:
        return _read_claim(found, answers, claim)
    single = (found.element.findtext("single") or "true").strip() not in ("false", "0", "")
    right = [index for index, (_, fraction) in enumerate(answers) if fraction > 0]
    if not right:
        found.fail(None, "no answer is right (none has a positive fraction)")
        return None
    if single:
        best = max(fraction for _, fraction in answers)
        right = [index for index, (_, fraction) in enumerate(answers) if fraction == best]
        if len(right) > 1:
            found.unsupported = (
                "several answers are fully right in a one-answer question; "
                "quizapp's single-answer questions have one right answer"
            )
            return None
    question = found.base("single" if single else "multiple")
    if question is None:
        return None
    choices = []
    for index, ((answer, _), text) in enumerate(zip(answers, texts, strict=True)):
        if not text:
            found.fail(answer, "the answer has no text")
            return None
        choice = {"id": choice_id(index), "text": text}
        feedback = found.feedback(answer)
        if feedback:
            choice["feedback"] = feedback
        choices.append(choice)
    question["choices"] = choices
    ids = [choice["id"] for choice in choices]
    question["answer"] = ids[right[0]] if single else [ids[index] for index in right]
    return question


def _read_claim(found: _Question, answers, verdicts: list[str]) -> dict | None:
    # The passage quizapp shows with the statement is cited again in the editor.
    question = found.base("claim", text_cut='<blockquote lang="zh">')
    if question is None:
        return None
    best = max(range(2), key=lambda index: answers[index][1])
    if answers[best][1] <= 0 or answers[0][1] == answers[1][1]:
        found.fail(None, "one of the two answers must be right and the other wrong")
        return None
    question["answer"] = verdicts[best]
    wrong = found.text(found.element.find("incorrectfeedback")) or found.feedback(
        answers[1 - best][0]
    )
    if wrong:
        question["wrong_feedback"] = wrong
    return question


def _read_truefalse(found: _Question) -> dict | None:
    answers = found.answers()
    if answers is None:
        return None
    question = found.base("true_false")
    if question is None:
        return None
    truth, by_word = None, {}
    for index, (answer, fraction) in enumerate(answers[:2]):
        word = (answer.findtext("text") or "").strip().lower()
        if word not in TRUE_FALSE:
            # Old files wrote the answers in the site's language: true first, as Moodle reads them.
            word = TRUE_FALSE[index]
        by_word[word] = answer
        truth = (fraction >= FULL) if word == "true" else (fraction < FULL)
    question["answer"] = truth
    wrong = by_word.get("false" if truth else "true")
    if wrong is not None and found.feedback(wrong):
        question["wrong_feedback"] = found.feedback(wrong)
    return question


def _is_catch_all(answer: ET.Element, fraction: float) -> bool:
    return (answer.findtext("text") or "").strip() == "*" and fraction <= 0


def _wrong_feedback(found: _Question, question: dict, answers) -> None:
    for answer, fraction in answers:
        if _is_catch_all(answer, fraction) and found.feedback(answer):
            question["wrong_feedback"] = found.feedback(answer)
            return


def _read_shortanswer(found: _Question) -> dict | None:
    answers = found.answers()
    if answers is None:
        return None
    accepted = []
    for answer, fraction in answers:
        if fraction < FULL:
            continue
        text = (answer.findtext("text") or "").strip()
        if re.search(r"(?<!\\)\*", text):
            found.unsupported = (
                f"the answer '{text}' is a wildcard pattern (*); quizapp accepts whole answers"
            )
            return None
        text = text.replace("\\*", "*")
        if text:
            accepted.append(text)
    if not accepted:
        found.fail(None, "no answer is fully right (fraction 100)")
        return None
    question = found.base("short_text")
    if question is None:
        return None
    question["answer"] = accepted
    _wrong_feedback(found, question, answers)
    return question


def _read_number(text: str) -> int | float | None:
    text = text.strip()
    try:
        if re.fullmatch(r"[+-]?\d{1,18}", text):
            return int(text)
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _read_numerical(found: _Question) -> dict | None:
    answers = found.answers()
    if answers is None:
        return None
    right = next((answer for answer, fraction in answers if fraction >= FULL), None)
    if right is None:
        found.fail(None, "no answer is fully right (fraction 100)")
        return None
    raw = (right.findtext("text") or "").strip()
    value = _read_number(raw)
    if value is None:
        found.fail(right, f"the right answer '{raw}' is not a number")
        return None
    raw_tolerance = (right.findtext("tolerance") or "0").strip()
    tolerance = _read_number(raw_tolerance)
    if tolerance is None or tolerance < 0:
        found.fail(right, f"the tolerance '{raw_tolerance}' is not a number from 0 up")
        return None
    question = found.base("numeric")
    if question is None:
        return None
    answer = {"value": value, "tolerance": tolerance}
    unit = _read_unit(found.element)
    if unit:
        answer["unit"] = unit
    question["answer"] = answer
    _wrong_feedback(found, question, answers)
    return question


def _read_unit(question: ET.Element) -> dict:
    """The units worth the number as it is (multiplier 1): a Chinese one and another."""
    names = []
    for unit in question.findall("units/unit"):
        multiplier = _read_number(unit.findtext("multiplier") or "1")
        name = " ".join((unit.findtext("unit_name") or "").split())
        if multiplier == 1 and name:
            names.append(name)
    if not names:
        return {}
    unit = {}
    for name in names:
        language = "zh" if has_cjk(name) else "en"
        unit.setdefault(language, name)
    return _both(unit)


READERS = {
    "multichoice": _read_multichoice,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
}
