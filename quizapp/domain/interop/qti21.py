"""IMS QTI 2.1: the bank as an IMS content package (a zip), export only.

The zip holds ``imsmanifest.xml`` (IMS Content Packaging 1.1), one
``assessmentItem`` file per question under ``items/`` (``q-<question id>.xml``)
and an ``assessmentTest`` that lists them in bank order, so that a tool can
import the whole bank as one test or the items one by one. Each item is
valid against the IMS QTI 2.1 schema and grades as quizapp does, with its
response processing written out (no template to fetch):

- ``single``: a ``choiceInteraction`` (one choice); right or wrong;
- ``multiple``: a ``choiceInteraction`` (any number of choices) whose
  ``mapping`` gives each right choice ``+1/n`` and each wrong one ``-1/n``
  (``n`` right answers), with a floor of 0 (``lowerBound``): our partial credit;
- ``true_false`` and ``claim``: a ``choiceInteraction`` with two choices
  (True/False; "Supported by the passage"/"Not supported by the passage"),
  not shuffled. A claim's cited passages (and their English glosses) are in
  the item body, as quizapp shows them before the learner answers;
- ``numeric``: a ``textEntryInteraction`` for a float, right when it is
  ``equal`` to the value within the tolerance (``toleranceMode="absolute"``);
  the unit is written after the box;
- ``short_text``: a ``textEntryInteraction`` for a string, right when it maps
  to one of the accepted answers (``caseSensitive="false"``).

Both languages are in every item, each in its own element with ``xml:lang``.
Feedback is ``modalFeedback`` on the ``FEEDBACK`` outcome: each choice's own
feedback is shown to whoever picks it, ``wrong_feedback`` after a wrong
answer, and always the explanation with each cited passage, its gloss, its
outlet and date and a link to it in the app's source viewer.

What it loses: difficulty, learning objective, check form, time limit,
status and tags; the passages as selectors (shown as text); how quizapp
reads a typed answer (QTI compares a short answer ignoring letter case only,
not width, spaces or punctuation at its ends; a number is a plain float,
without our dates, word numbers or units). A ``numeric`` question whose
answer is a day of a month is skipped: a QTI float has no month.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from quizapp.domain.interop.common import (
    CLAIM_ANSWERS,
    LANGUAGES,
    READ_IN_ARTICLE,
    Exported,
    OutgoingBank,
    Skipped,
)
from quizapp.domain.interop.moodle_xml import NOT_XML

MEDIA_TYPE = "application/zip"
QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"
TEST_FILE = "assessment-test.xml"

#: The two answers of a true/false item.
TRUE_FALSE = {
    "true": {"zh": "正确", "en": "True"},
    "false": {"zh": "错误", "en": "False"},
}
#: The modal feedback shown always, and the one shown after a wrong answer
#: (choice feedback uses the choices' own identifiers, which are lower case).
EXPLANATION = "EXPLANATION"
WRONG = "WRONG"
#: Zip entries' time: a fixed one, so that the same bank gives the same bytes.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def write(bank: OutgoingBank) -> Exported:
    """The bank as a QTI 2.1 content package; questions QTI cannot hold are skipped, with why."""
    files: dict[str, bytes] = {}
    items: list[tuple[str, str]] = []  # (identifier, file)
    written, skipped = [], []
    for key, content in bank.questions:
        kind = content.get("type")
        reason = _cannot_write(content)
        if reason:
            skipped.append(Skipped(key, kind, reason))
            continue
        identifier = item_identifier(key)
        path = f"items/{identifier}.xml"
        files[path] = _document(item(key, content, bank.cite))
        items.append((identifier, path))
        written.append(key)
    if items:
        files[TEST_FILE] = _document(_test(bank, items))
    files = {"imsmanifest.xml": _document(_manifest(bank, items)), **files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return Exported(buffer.getvalue(), f"{bank.slug}.qti21.zip", MEDIA_TYPE, written, skipped)


def _cannot_write(content: dict) -> str | None:
    kind = content.get("type")
    if kind not in BODIES:
        return f"QTI 2.1 export has no item for the type '{kind}'"
    if kind == "numeric" and content["answer"].get("month") is not None:
        return (
            "the answer is a day of a month; a QTI number is a plain float and "
            "cannot tell March 1 from February 1"
        )
    return None


def item_identifier(key: str) -> str:
    """A question's item identifier: an XML name (``q-`` and the question id)."""
    return f"q-{key}"


def _choice_identifier(choice_id: str) -> str:
    """A choice's identifier: its id when that is an XML name (they start with a letter)."""
    return choice_id if re.fullmatch(r"[A-Za-z_][\w.-]*", choice_id) else f"c-{choice_id}"


#: Elements whose content is text and inline markup: not indented inside, so
#: that no white space is added to what the learner reads.
MIXED = {"p", "span", "a", "simpleChoice", "value", "baseValue"}


def _indent(element: ET.Element, level: int = 0) -> None:
    """Indent the structure (like ``ET.indent``) but leave mixed content as written."""
    if element.tag in MIXED or not len(element):
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in element:
        _indent(child, level + 1)
        child.tail = inner
    element[-1].tail = "\n" + "  " * level


def _document(root: ET.Element) -> bytes:
    _indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _clean(text: str) -> str:
    return NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, attributes: dict | None = None, text=None) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes or {})
    if text is not None:
        element.text = _clean(str(text))
    return element


def _number(value: float) -> str:
    """A number as plain decimal digits (never ``1e-05``)."""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)), "f")


# --- the item's text --------------------------------------------------------------


def _languages(text: dict | None) -> list[tuple[str | None, str]]:
    """A bilingual text's parts: (language, words); the same words in both are one part."""
    if not text:
        return []
    parts = [(language, text[language]) for language in LANGUAGES if text.get(language)]
    if len({words for _, words in parts}) == 1:
        return [(None, parts[0][1])]
    return parts


def _blocks(parent: ET.Element, text: dict | None, tag: str = "p") -> None:
    """One block per language, each with its ``xml:lang``."""
    for language, words in _languages(text):
        _sub(parent, tag, {XML_LANG: language} if language else {}, words)


def _inline(parent: ET.Element, text: dict | None) -> None:
    """Both languages inline: ``<span xml:lang="zh">…</span> / <span xml:lang="en">…</span>``."""
    parts = _languages(text)
    if len(parts) == 1 and parts[0][0] is None:
        _append_text(parent, parts[0][1])
        return
    for index, (language, words) in enumerate(parts):
        if index:
            _append_text(parent, " / ")
        _sub(parent, "span", {XML_LANG: language}, words)


def _append_text(parent: ET.Element, text: str) -> None:
    """Text after whatever ``parent`` already holds (mixed content)."""
    text = _clean(text)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _passages(parent: ET.Element, content: dict, cite, where: bool) -> None:
    """Each cited passage: the quote, its English gloss and (``where``) who reported
    it, when, and the link to it in the article."""
    for source in content.get("sources", ()):
        citation = cite(source)
        quote = _sub(parent, "blockquote", {XML_LANG: "zh"})
        _sub(quote, "p", None, citation.exact)
        if citation.gloss:
            _sub(parent, "p", {XML_LANG: "en"}, citation.gloss)
        if not where:
            continue
        line = _sub(parent, "p")
        _inline(line, citation.outlet)
        _append_text(line, f", {citation.published}.")
        if citation.url:
            _append_text(line, " ")
            _inline(_sub(line, "a", {"href": citation.url}), READ_IN_ARTICLE)


# --- the item ---------------------------------------------------------------------


def item(key: str, content: dict, cite) -> ET.Element:
    """The question as a QTI 2.1 ``assessmentItem``."""
    kind = content["type"]
    title = " ".join((content["prompt"].get("en") or content["prompt"].get("zh", "")).split())
    root = ET.Element(
        "assessmentItem",
        {
            "xmlns": QTI,
            "xmlns:xsi": XSI,
            "xsi:schemaLocation": f"{QTI} {QTI_XSD}",
            "identifier": item_identifier(key),
            "title": _clean(title[:200]),
            "adaptive": "false",
            "timeDependent": "false",
            "toolName": "quizapp",
        },
    )
    declaration = _sub(
        root,
        "responseDeclaration",
        {"identifier": "RESPONSE", "cardinality": CARDINALITY[kind], "baseType": BASE_TYPE[kind]},
    )
    correct = _sub(declaration, "correctResponse")
    for value in _correct_values(content):
        _sub(correct, "value", None, value)
    if kind == "multiple":
        _choice_mapping(declaration, content)
    elif kind == "short_text":
        mapping = _sub(declaration, "mapping", {"defaultValue": "0"})
        for accepted in content["answer"]:
            _sub(
                mapping,
                "mapEntry",
                {"mapKey": _clean(accepted), "mappedValue": "1", "caseSensitive": "false"},
            )
    score = _sub(
        root,
        "outcomeDeclaration",
        {"identifier": "SCORE", "cardinality": "single", "baseType": "float", "normalMaximum": "1"},
    )
    _sub(_sub(score, "defaultValue"), "value", None, "0")
    _sub(
        root,
        "outcomeDeclaration",
        {"identifier": "FEEDBACK", "cardinality": "multiple", "baseType": "identifier"},
    )
    body = _sub(root, "itemBody")
    _blocks(body, content["prompt"])
    BODIES[kind](body, content, cite)
    _response_processing(root, content)
    _feedback(root, content, cite)
    return root


CARDINALITY = {
    "single": "single",
    "multiple": "multiple",
    "true_false": "single",
    "claim": "single",
    "numeric": "single",
    "short_text": "single",
}
BASE_TYPE = {
    "single": "identifier",
    "multiple": "identifier",
    "true_false": "identifier",
    "claim": "identifier",
    "numeric": "float",
    "short_text": "string",
}


def _correct_values(content: dict) -> list[str]:
    answer = content["answer"]
    kind = content["type"]
    if kind == "single":
        return [_choice_identifier(answer)]
    if kind == "multiple":
        return [_choice_identifier(choice) for choice in answer]
    if kind == "true_false":
        return ["true" if answer else "false"]
    if kind == "claim":
        return [answer]
    if kind == "numeric":
        return [_number(answer["value"])]
    return [answer[0]]


def _choice_mapping(declaration: ET.Element, content: dict) -> None:
    """Our partial credit: each right pick +1/n, each wrong one -1/n, never below 0."""
    right = set(content["answer"])
    share = 1 / len(right)
    mapping = _sub(
        declaration, "mapping", {"lowerBound": "0", "upperBound": "1", "defaultValue": "0"}
    )
    for choice in content["choices"]:
        value = share if choice["id"] in right else -share
        _sub(
            mapping,
            "mapEntry",
            {"mapKey": _choice_identifier(choice["id"]), "mappedValue": repr(value)},
        )


def _choice_interaction(body: ET.Element, shuffle: bool, max_choices: int) -> ET.Element:
    return _sub(
        body,
        "choiceInteraction",
        {
            "responseIdentifier": "RESPONSE",
            "shuffle": "true" if shuffle else "false",
            "maxChoices": str(max_choices),
        },
    )


def _body_choices(body: ET.Element, content: dict, cite) -> None:
    single = content["type"] == "single"
    interaction = _choice_interaction(body, shuffle=True, max_choices=1 if single else 0)
    for choice in content["choices"]:
        option = _sub(interaction, "simpleChoice", {"identifier": _choice_identifier(choice["id"])})
        _inline(option, choice["text"])


def _body_two(body: ET.Element, answers: dict) -> None:
    interaction = _choice_interaction(body, shuffle=False, max_choices=1)
    for identifier, words in answers.items():
        _inline(_sub(interaction, "simpleChoice", {"identifier": identifier}), words)


def _body_true_false(body: ET.Element, content: dict, cite) -> None:
    _body_two(body, TRUE_FALSE)


def _body_claim(body: ET.Element, content: dict, cite) -> None:
    # The learner judges the statement against the passage: it is shown first.
    _passages(body, content, cite, where=False)
    _body_two(body, CLAIM_ANSWERS)


def _text_entry(body: ET.Element, length: int) -> ET.Element:
    line = _sub(body, "p")
    _sub(
        line,
        "textEntryInteraction",
        {"responseIdentifier": "RESPONSE", "expectedLength": str(length)},
    )
    return line


def _body_numeric(body: ET.Element, content: dict, cite) -> None:
    line = _text_entry(body, 12)
    unit = content["answer"].get("unit")
    if unit:
        _append_text(line, " ")
        _inline(line, unit)


def _body_short_text(body: ET.Element, content: dict, cite) -> None:
    _text_entry(body, max(10, *(len(accepted) for accepted in content["answer"])))


BODIES = {
    "single": _body_choices,
    "multiple": _body_choices,
    "true_false": _body_true_false,
    "claim": _body_claim,
    "numeric": _body_numeric,
    "short_text": _body_short_text,
}


# --- grading and feedback -----------------------------------------------------------


def _score(parent: ET.Element, value: str | None = None) -> ET.Element:
    """``SCORE`` set to a float (or, with no value, to what the caller appends)."""
    setter = _sub(parent, "setOutcomeValue", {"identifier": "SCORE"})
    if value is not None:
        _sub(setter, "baseValue", {"baseType": "float"}, value)
    return setter


def _variable(parent: ET.Element, identifier: str = "RESPONSE") -> ET.Element:
    return _sub(parent, "variable", {"identifier": identifier})


def _response_processing(root: ET.Element, content: dict) -> None:
    """Grading written out as quizapp grades (SCORE 0 to 1), then which feedback shows."""
    kind = content["type"]
    processing = _sub(root, "responseProcessing")
    condition = _sub(processing, "responseCondition")
    branch = _sub(condition, "responseIf")
    if kind in ("multiple", "short_text"):
        # The mapping scores the response; no response scores nothing.
        _variable(_sub(branch, "isNull"))
        _score(branch, "0")
        _sub(_score(_sub(condition, "responseElse")), "mapResponse", {"identifier": "RESPONSE"})
    else:
        if kind == "numeric":
            tolerance = _number(content["answer"]["tolerance"])
            test = _sub(branch, "equal", {"toleranceMode": "absolute", "tolerance": tolerance})
        else:
            test = _sub(branch, "match")
        _variable(test)
        _sub(test, "correct", {"identifier": "RESPONSE"})
        _score(branch, "1")
        _score(_sub(condition, "responseElse"), "0")
    # Feedback: the explanation always, each picked choice's own, and the
    # wrong-answer feedback unless the answer was fully right.
    shown = _sub(_sub(processing, "setOutcomeValue", {"identifier": "FEEDBACK"}), "multiple")
    _sub(shown, "baseValue", {"baseType": "identifier"}, EXPLANATION)
    if kind in ("single", "multiple"):
        _variable(shown)
    if content.get("wrong_feedback"):
        wrong = _sub(_sub(processing, "responseCondition"), "responseIf")
        below = _sub(wrong, "lt")
        _variable(below, "SCORE")
        _sub(below, "baseValue", {"baseType": "float"}, "1")
        setter = _sub(wrong, "setOutcomeValue", {"identifier": "FEEDBACK"})
        both = _sub(setter, "multiple")
        _variable(both, "FEEDBACK")
        _sub(both, "baseValue", {"baseType": "identifier"}, WRONG)


def _modal(root: ET.Element, identifier: str) -> ET.Element:
    return _sub(
        root,
        "modalFeedback",
        {"outcomeIdentifier": "FEEDBACK", "identifier": identifier, "showHide": "show"},
    )


def _feedback(root: ET.Element, content: dict, cite) -> None:
    for choice in content.get("choices", ()):
        if choice.get("feedback"):
            _blocks(_modal(root, _choice_identifier(choice["id"])), choice["feedback"])
    if content.get("wrong_feedback"):
        _blocks(_modal(root, WRONG), content["wrong_feedback"])
    explanation = _modal(root, EXPLANATION)
    _blocks(explanation, content.get("explanation"))
    _passages(explanation, content, cite, where=True)


# --- the package ---------------------------------------------------------------------


def _test(bank: OutgoingBank, items: list[tuple[str, str]]) -> ET.Element:
    """An ``assessmentTest`` of the bank's items in bank order, its SCORE their sum."""
    title = _clean(" ".join((bank.title.get("en") or bank.title.get("zh", "")).split()))
    test = ET.Element(
        "assessmentTest",
        {
            "xmlns": QTI,
            "xmlns:xsi": XSI,
            "xsi:schemaLocation": f"{QTI} {QTI_XSD}",
            "identifier": f"test-{bank.slug}",
            "title": title,
            "toolName": "quizapp",
        },
    )
    score = _sub(
        test,
        "outcomeDeclaration",
        {"identifier": "SCORE", "cardinality": "single", "baseType": "float"},
    )
    _sub(_sub(score, "defaultValue"), "value", None, "0")
    part = _sub(
        test,
        "testPart",
        {"identifier": "part-1", "navigationMode": "nonlinear", "submissionMode": "individual"},
    )
    section = _sub(
        part,
        "assessmentSection",
        {"identifier": "section-1", "title": title, "visible": "true"},
    )
    for identifier, path in items:
        _sub(section, "assessmentItemRef", {"identifier": identifier, "href": path})
    processing = _sub(test, "outcomeProcessing")
    total = _sub(_sub(processing, "setOutcomeValue", {"identifier": "SCORE"}), "sum")
    _sub(total, "testVariables", {"variableIdentifier": "SCORE"})
    return test


def _manifest(bank: OutgoingBank, items: list[tuple[str, str]]) -> ET.Element:
    """``imsmanifest.xml``: one resource per item file, and the test depending on them."""
    manifest = ET.Element(
        "manifest",
        {
            "xmlns": CP,
            "xmlns:xsi": XSI,
            "xsi:schemaLocation": f"{CP} {CP_XSD}",
            "identifier": f"manifest-{bank.slug}",
        },
    )
    metadata = _sub(manifest, "metadata")
    _sub(metadata, "schema", None, "QTIv2.1 Package")
    _sub(metadata, "schemaversion", None, "1.0.0")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    if items:
        test = _sub(
            resources,
            "resource",
            {"identifier": f"test-{bank.slug}", "type": TEST_TYPE, "href": TEST_FILE},
        )
        _sub(test, "file", {"href": TEST_FILE})
        for identifier, _path in items:
            _sub(test, "dependency", {"identifierref": identifier})
    for identifier, path in items:
        resource = _sub(
            resources, "resource", {"identifier": identifier, "type": ITEM_TYPE, "href": path}
        )
        _sub(resource, "file", {"href": path})
    return manifest
