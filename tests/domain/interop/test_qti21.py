"""IMS QTI 2.1 export (quizapp.domain.interop.qti21), checked by independent tools.

Every item and test in every package is validated against the IMS QTI 2.1
schema (``tests/schemas/qti21``, a copy of the IMS XSD) with ``xmlschema``;
the content package's manifest is read with a generic XML parser. The
schema takes a few seconds to load, so it is loaded once per session.
"""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings

from quizapp.domain.interop import qti21
from quizapp.domain.question_types import REGISTRY
from tests.domain.interop.test_moodle_xml import (
    generated_banks,
    outgoing,
    shipped_banks,
)

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "qti21" / "qtiv2p1" / "imsqti_v2p1.xsd"
Q = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="session")
def qti_schema() -> xmlschema.XMLSchema:
    """The IMS QTI 2.1 schema, loaded once (about 3 s): it imports its own
    copies of xml.xsd, XInclude, MathML 2 and APIP, so nothing is fetched."""
    return xmlschema.XMLSchema(str(SCHEMA))


def unpack(exported) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def check_package(exported, schema: xmlschema.XMLSchema) -> dict[str, ET.Element]:
    """Validate every QTI file and check the manifest against the zip's files.

    Every ``resource/@href`` and ``file/@href`` exists in the zip, every file
    in the zip but the manifest is listed, each item resource is an
    ``imsqti_item_xmlv2p1`` whose item's identifier is the resource's, and
    the test's dependencies are the item resources. Returns the items by file.
    """
    files = unpack(exported)
    manifest = ET.fromstring(files.pop("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    listed = set()
    for resource in resources:
        assert resource.get("href") in files
        for file in resource.findall(f"{CP}file"):
            assert file.get("href") in files
            listed.add(file.get("href"))
    assert listed == set(files)
    items = {}
    for resource in resources:
        document = files[resource.get("href")]
        schema.validate(document.decode("utf-8"))
        root = ET.fromstring(document)
        if resource.get("type") == "imsqti_item_xmlv2p1":
            assert root.tag == f"{Q}assessmentItem"
            assert root.get("identifier") == resource.get("identifier")
            items[resource.get("href")] = root
        else:
            assert resource.get("type") == "imsqti_test_xmlv2p1"
            assert root.tag == f"{Q}assessmentTest"
            refs = [ref.get("href") for ref in root.iter(f"{Q}assessmentItemRef")]
            depends = [d.get("identifierref") for d in resource.findall(f"{CP}dependency")]
            item_resources = [r for r in resources if r.get("type") == "imsqti_item_xmlv2p1"]
            assert refs == [r.get("href") for r in item_resources]
            assert depends == [r.get("identifier") for r in item_resources]
    assert len(items) == len(exported.written)
    return items


def item_of(items: dict[str, ET.Element], key: str) -> ET.Element:
    return items[f"items/q-{key}.xml"]


# --- every shipped bank ------------------------------------------------------------------


def test_every_shipped_item_is_valid_qti(shipped, catalog, qti_schema):
    """Every shipped bank exports; every item and test validates against the
    IMS schema; only day-of-month numbers are skipped, each with a reason."""
    for bank in shipped_banks(shipped, catalog):
        exported = qti21.write(bank)
        assert exported.filename == f"{bank.slug}.qti21.zip"
        assert exported.media_type == "application/zip"
        keys = [key for key, _ in bank.questions]
        assert sorted(exported.written + [s.key for s in exported.skipped]) == sorted(keys)
        for skipped in exported.skipped:
            assert skipped.type == "numeric" and "month" in skipped.reason
        check_package(exported, qti_schema)


def test_a_shipped_item_has_both_languages_feedback_and_its_citation(shipped, catalog, qti_schema):
    bank = next(b for b in shipped_banks(shipped, catalog) if b.slug == "starter")
    cookie = item_of(check_package(qti21.write(bank), qti_schema), "cookie-bite")
    assert cookie.get("adaptive") == "false" and cookie.get("timeDependent") == "false"
    assert cookie.get("title").startswith("As reported in February 2024")
    body = cookie.find(f"{Q}itemBody")
    assert {p.get(XML_LANG) for p in body.findall(f"{Q}p")} == {"zh", "en"}
    feedback = {m.get("identifier"): m for m in cookie.findall(f"{Q}modalFeedback")}
    assert set(feedback) == {"a", "b", "EXPLANATION"}
    explanation = ET.tostring(feedback["EXPLANATION"], encoding="unicode")
    assert "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。" in explanation
    assert 'href="https://quiz.example/sources/huanqiu-2024-02#passage"' in explanation
    assert "Read it in the article" in explanation and "Global Times" in explanation


# --- generated banks ----------------------------------------------------------------------


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=generated_banks())
def test_generated_banks_are_valid_qti(bank, qti_schema):
    exported = qti21.write(bank)
    items = check_package(exported, qti_schema)
    assert exported.written == [key for key, _ in bank.questions]
    for key, content in bank.questions:
        check_item(item_of(items, key), content)


def check_item(item: ET.Element, content: dict) -> None:
    """The item asks and grades what the question does."""
    kind = content["type"]
    declaration = item.find(f"{Q}responseDeclaration")
    correct = [v.text for v in declaration.iter(f"{Q}value")]
    interaction = item.find(f".//{Q}choiceInteraction")
    if kind in ("single", "multiple", "true_false", "claim"):
        choices = [c.get("identifier") for c in interaction.findall(f"{Q}simpleChoice")]
    if kind == "single":
        assert interaction.get("maxChoices") == "1"
        assert choices == [c["id"] for c in content["choices"]]
        assert correct == [content["answer"]]
    elif kind == "multiple":
        assert interaction.get("maxChoices") == "0"
        assert correct == content["answer"]
        assert_mapping_grades_as_we_do(declaration, content)
    elif kind == "true_false":
        assert choices == ["true", "false"]
        assert correct == ["true" if content["answer"] else "false"]
    elif kind == "claim":
        assert choices == ["supported", "not_supported"]
        assert correct == [content["answer"]]
        # The passage is shown with the statement.
        quotes = [q.findtext(f"{Q}p") for q in item.find(f"{Q}itemBody").iter(f"{Q}blockquote")]
        assert quotes == [source["exact"] for source in content["sources"]]
    elif kind == "numeric":
        assert declaration.get("baseType") == "float"
        assert float(correct[0]) == content["answer"]["value"]
        equal = item.find(f".//{Q}responseProcessing//{Q}equal")
        assert equal.get("toleranceMode") == "absolute"
        assert float(equal.get("tolerance")) == content["answer"]["tolerance"]
        assert item.find(f".//{Q}textEntryInteraction") is not None
    elif kind == "short_text":
        assert declaration.get("baseType") == "string"
        entries = declaration.findall(f"{Q}mapping/{Q}mapEntry")
        assert [e.get("mapKey") for e in entries] == content["answer"]
        assert {e.get("caseSensitive") for e in entries} == {"false"}
    feedback = {m.get("identifier") for m in item.findall(f"{Q}modalFeedback")}
    expected = {"EXPLANATION"} | {
        choice["id"] for choice in content.get("choices", ()) if choice.get("feedback")
    }
    if content.get("wrong_feedback"):
        expected.add("WRONG")
    assert feedback == expected
    languages = {e.get(XML_LANG) for e in item.find(f"{Q}itemBody").iter()}
    if content["prompt"]["zh"] != content["prompt"]["en"]:
        assert {"zh", "en"} <= languages


def assert_mapping_grades_as_we_do(declaration: ET.Element, content: dict) -> None:
    """QTI's mapResponse (sum of the picked choices' values within the bounds)
    gives our score for every possible pick."""
    mapping = declaration.find(f"{Q}mapping")
    values = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping}
    low, high = float(mapping.get("lowerBound")), float(mapping.get("upperBound"))
    ids = [choice["id"] for choice in content["choices"]]
    for size in range(len(ids) + 1):
        for picked in itertools.combinations(ids, size):
            mapped = min(high, max(low, sum(values[choice] for choice in picked)))
            ours = REGISTRY["multiple"].grade(content["answer"], list(picked))
            assert mapped == pytest.approx(ours, abs=1e-9)


def test_the_same_bank_gives_the_same_bytes(shipped, catalog):
    bank = next(b for b in shipped_banks(shipped, catalog) if b.slug == "starter")
    assert qti21.write(bank).data == qti21.write(bank).data


def test_a_month_answer_is_skipped_with_a_reason(qti_schema):
    content = {
        "type": "numeric",
        "prompt": {"zh": "几号？", "en": "Which day?"},
        "explanation": {"zh": "三月一日。", "en": "March 1."},
        "answer": {"value": 1, "tolerance": 0, "month": 3},
        "sources": [],
    }
    exported = qti21.write(outgoing("dates", [("which-day", content)]))
    assert exported.written == []
    (skipped,) = exported.skipped
    assert (skipped.key, skipped.type) == ("which-day", "numeric")
    assert "month" in skipped.reason
    assert check_package(exported, qti_schema) == {}


# --- the check can fail ---------------------------------------------------------------------


def test_a_broken_item_is_rejected(shipped, catalog, qti_schema):
    """The schema check is real: an item with an unknown element, or without
    its identifier, is refused."""
    bank = next(b for b in shipped_banks(shipped, catalog) if b.slug == "starter")
    document = unpack(qti21.write(bank))["items/q-cookie-bite.xml"].decode("utf-8")
    qti_schema.validate(document)
    unknown = document.replace("<itemBody>", "<itemBody><blink>new</blink>", 1)
    without_identifier = document.replace('identifier="q-cookie-bite" ', "", 1)
    choice_outside = document.replace("<itemBody>", '<itemBody><simpleChoice identifier="x"/>', 1)
    for broken in (unknown, without_identifier, choice_outside):
        assert broken != document
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            qti_schema.validate(broken)
