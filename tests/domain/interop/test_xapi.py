"""xAPI statements of answers: checked against the rules of xAPI 1.0.3 (Data,
https://github.com/adlnet/xAPI-Spec, part two) that the statements we write
touch, with no validator package: :func:`check_statement` is that subset."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from quizapp.domain.interop.xapi import (
    ANSWERED,
    INTERACTION,
    AnswerRecord,
    AskedQuestion,
    SessionActivity,
    correct_responses,
    duration,
    json_array,
    json_lines,
    registration,
    response_text,
    statement,
    timestamp,
)
from quizapp.domain.question_types import REGISTRY
from tests.answers import right_values, wrong_values

BASE = "https://quiz.example"
SESSION = SessionActivity("9f8e7d6c5b4a39281706f5e4d3c2b1a0", "Sora 第一课", "certainty")
#: xAPI 1.0.3 Data 2.4: the properties of a statement.
STATEMENT_KEYS = {
    "id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
    "version", "attachments",
}  # fmt: skip
INTERACTION_TYPES = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
    "likert", "numeric", "other",
}  # fmt: skip
#: RFC 5646 tags as language maps use them (language, script or region subtags).
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
#: ISO 8601 durations (xAPI Data 4.6: the format of section 4.4.3.2).
DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
IFI = ("mbox", "mbox_sha1sum", "openid", "account")


def is_iri(text) -> bool:
    """An absolute IRI (fragments and relative references are not IRIs)."""
    parts = urlsplit(text) if isinstance(text, str) else None
    return bool(parts and parts.scheme and (parts.netloc or parts.scheme == "mailto"))


def is_irl(text) -> bool:
    return is_iri(text) and urlsplit(text).scheme in ("http", "https")


def check_uuid(text) -> uuid.UUID:
    value = uuid.UUID(text)
    assert str(value) == text, "UUIDs MUST be in the standard string form (lower case)"
    assert value.variant == uuid.RFC_4122
    return value


def check_language_map(value) -> None:
    assert isinstance(value, dict) and value
    for tag, text in value.items():
        assert LANGUAGE_TAG.match(tag), tag
        assert isinstance(text, str) and text.strip()


def check_activity(activity) -> None:
    assert activity.get("objectType", "Activity") == "Activity"
    assert is_iri(activity["id"]), activity["id"]
    definition = activity.get("definition")
    if definition is None:
        return
    assert set(definition) <= {
        "name", "description", "type", "moreInfo", "extensions", "interactionType",
        "correctResponsesPattern", "choices", "scale", "source", "target", "steps",
    }  # fmt: skip
    for key in ("name", "description"):
        if key in definition:
            check_language_map(definition[key])
    if "type" in definition:
        assert is_iri(definition["type"])
    check_extensions(definition.get("extensions"))
    if "interactionType" in definition:
        assert definition["interactionType"] in INTERACTION_TYPES
        assert definition.get("type") == INTERACTION  # SHOULD, per Data 2.4.4.1.s13
        pattern = definition.get("correctResponsesPattern")
        if pattern is not None:
            assert isinstance(pattern, list) and all(isinstance(p, str) for p in pattern)
        for components in ("choices", "scale", "source", "target", "steps"):
            if components in definition:
                ids = [component["id"] for component in definition[components]]
                assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids)
                for component in definition[components]:
                    assert set(component) <= {"id", "description"}
                    if "description" in component:
                        check_language_map(component["description"])
    else:
        assert not set(definition) & {"correctResponsesPattern", "choices"}


def check_extensions(extensions) -> None:
    if extensions is None:
        return
    assert isinstance(extensions, dict)
    assert all(is_iri(key) for key in extensions), "extension keys MUST be IRIs"


def check_statement(data: dict, now: datetime | None = None) -> None:
    """The rules of xAPI 1.0.3 a statement of ours must keep (see the module docstring)."""
    assert set(data) <= STATEMENT_KEYS, set(data) - STATEMENT_KEYS
    assert {"actor", "verb", "object"} <= set(data)
    check_uuid(data["id"])
    # A provider SHOULD NOT set the version, and MUST set 1.0.0 if it does (2.4.10).
    assert data.get("version", "1.0.0") == "1.0.0"
    assert "stored" not in data and "authority" not in data  # the LRS sets them
    actor = data["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    assert [key for key in IFI if key in actor] == ["account"], "exactly one identifier"
    assert set(actor) <= {"objectType", "name", "account"}, "nothing personal"
    assert set(actor["account"]) == {"homePage", "name"}
    assert is_irl(actor["account"]["homePage"])
    assert isinstance(actor["account"]["name"], str) and actor["account"]["name"]
    assert isinstance(actor.get("name", ""), str)
    verb = data["verb"]
    assert set(verb) <= {"id", "display"} and is_iri(verb["id"])
    check_language_map(verb["display"])
    check_activity(data["object"])
    result = data.get("result")
    if result is not None:
        assert set(result) <= {
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        }
        assert isinstance(result.get("success", True), bool)
        assert isinstance(result.get("response", ""), str)
        score = result.get("score", {})
        assert set(score) <= {"scaled", "raw", "min", "max"}
        if "scaled" in score:
            assert -1 <= score["scaled"] <= 1
        if "min" in score and "max" in score:
            assert score["min"] < score["max"]
        if "raw" in score:
            assert score.get("min", score["raw"]) <= score["raw"] <= score.get("max", score["raw"])
        if "duration" in result:
            assert DURATION.match(result["duration"]), result["duration"]
        check_extensions(result.get("extensions"))
    context = data.get("context")
    if context is not None:
        assert set(context) <= {
            "registration", "instructor", "team", "contextActivities", "revision", "platform",
            "language", "statement", "extensions",
        }  # fmt: skip
        if "registration" in context:
            check_uuid(context["registration"])
        activities = context.get("contextActivities", {})
        assert set(activities) <= {"parent", "grouping", "category", "other"}
        for value in activities.values():
            assert isinstance(value, list), "SHOULD be arrays (2.4.6.2.s4.b5)"
            for activity in value:
                check_activity(activity)
        if "platform" in context or "revision" in context:
            assert data["object"].get("objectType", "Activity") == "Activity"
        check_extensions(context.get("extensions"))
    if "timestamp" in data:
        moment = datetime.fromisoformat(data["timestamp"])
        assert moment.tzinfo is not None, "SHOULD include the time zone"
        assert re.search(r"\.\d{3}", data["timestamp"]), "milliseconds"
        assert moment <= (now or datetime.now(UTC)), "MUST NOT be in the future"


# Records of answers


def content(kind: str, **fields) -> dict:
    base = {
        "type": kind,
        "prompt": {"zh": "报道怎么说？", "en": "What does the report say?"},
        "explanation": {"zh": "因为。", "en": "Because."},
    }
    return {**base, **fields}


CHOICES = [
    {"id": "a", "text": {"zh": "甲", "en": "First"}},
    {"id": "b", "text": {"zh": "乙", "en": "Second"}},
    {"id": "c", "text": {"zh": "丙", "en": "Third"}},
]
QUESTIONS = {
    "single": content("single", choices=CHOICES, answer="c"),
    "multiple": content("multiple", choices=CHOICES, answer=["a", "c"]),
    "true_false": content("true_false", answer=True),
    "claim": content("claim", answer="not_supported"),
    "numeric": content("numeric", answer={"value": 60, "tolerance": 0.5}),
    "short_text": content("short_text", answer=["深度伪造", "deepfake"]),
}
WHEN = datetime(2024, 3, 1, 9, 30, 5, 123456, tzinfo=UTC)


def record(kind="single", response="c", fraction=1.0, revealed=True, **fields) -> AnswerRecord:
    values = {
        "player": 7,
        "learner": "p-abcdefghij",
        "nickname": "小明",
        "question": AskedQuestion("starter", f"q-{kind}", 2, QUESTIONS[kind], revealed),
        "position": 0,
        "round": 1,
        "response": response,
        "fraction": fraction,
        "points": 3.0 * fraction,
        "confidence": 3,
        "time_taken_ms": 12_500,
        "answered_at": WHEN,
    }
    return AnswerRecord(**{**values, **fields})


def test_a_statement_keeps_the_rules_and_says_who_did_what():
    data = statement(BASE + "/", SESSION, record())
    check_statement(data)
    assert data["actor"] == {
        "objectType": "Agent",
        "name": "小明",
        "account": {"homePage": BASE, "name": "p-abcdefghij"},
    }
    assert data["verb"] == {"id": ANSWERED, "display": {"en-US": "answered", "zh-CN": "作答"}}
    assert data["object"]["id"] == f"{BASE}/questions/starter/q-single/versions/2"
    definition = data["object"]["definition"]
    assert definition["description"] == {
        "zh-CN": "报道怎么说？",
        "en-US": "What does the report say?",
    }
    assert definition["interactionType"] == "choice"
    assert definition["choices"][2] == {"id": "c", "description": {"zh-CN": "丙", "en-US": "Third"}}
    assert definition["correctResponsesPattern"] == ["c"]
    assert definition["extensions"] == {f"{BASE}/xapi/extensions/question-version": 2}
    assert data["result"] == {
        "success": True,
        "score": {"scaled": 1.0, "raw": 3.0, "min": -6.0, "max": 3.0},
        "response": "c",
        "duration": "PT12.5S",
    }
    context = data["context"]
    assert context["registration"] == registration(SESSION)
    assert context["contextActivities"]["parent"] == [
        {
            "objectType": "Activity",
            "id": f"{BASE}/classroom/{SESSION.public_id}",
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/assessment",
                "name": {"und": "Sora 第一课"},
            },
        }
    ]
    assert context["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": f"{BASE}/questions/starter/q-single"}
    ]
    assert context["extensions"] == {
        f"{BASE}/xapi/extensions/round": 1,
        f"{BASE}/xapi/extensions/confidence": 3,
    }
    assert data["timestamp"] == "2024-03-01T09:30:05.123+00:00"
    assert "version" not in data


@pytest.mark.parametrize(
    ("kind", "response", "interaction", "given", "pattern"),
    [
        ("single", "c", "choice", "c", ["c"]),
        ("multiple", ["a", "b"], "choice", "a[,]b", ["a[,]c"]),
        ("true_false", False, "true-false", "false", ["true"]),
        ("claim", "supported", "choice", "supported", ["not_supported"]),
        ("numeric", 59.75, "numeric", "59.75", ["59.5[:]60.5"]),
        ("short_text", "Deep fake", "fill-in", "Deep fake",
         ["{case_matters=false}深度伪造", "{case_matters=false}deepfake"]),
    ],
)  # fmt: skip
def test_each_type_is_an_interaction_with_its_response_format(
    kind, response, interaction, given, pattern
):
    data = statement(BASE, SESSION, record(kind, response, fraction=0.0))
    check_statement(data)
    definition = data["object"]["definition"]
    assert definition["interactionType"] == interaction
    assert data["result"]["response"] == given
    assert definition["correctResponsesPattern"] == pattern
    assert data["result"]["success"] is False
    if kind == "claim":
        assert [c["id"] for c in definition["choices"]] == ["supported", "not_supported"]
        assert definition["choices"][0]["description"]["zh-CN"] == "文中有依据"
    elif kind not in ("single", "multiple"):
        assert "choices" not in definition


def test_a_numeric_answer_with_no_tolerance_is_the_number_alone():
    assert correct_responses(content("numeric", answer={"value": 1.1, "tolerance": 0})) == ["1.1"]
    tolerant = content("numeric", answer={"value": 1.1, "tolerance": 0.1})
    assert correct_responses(tolerant) == ["1[:]1.2"]
    assert response_text(tolerant, 0.00001) == "0.00001"
    assert response_text(tolerant, 2024) == "2024"


def test_the_answer_key_goes_out_only_once_the_class_was_shown_it():
    for kind in QUESTIONS:
        data = statement(BASE, SESSION, record(kind, None, revealed=False))
        check_statement(data)
        definition = data["object"]["definition"]
        assert "correctResponsesPattern" not in definition and "choices" not in definition
        assert "response" not in data["result"]


def test_partial_credit_is_not_success_and_its_score_is_its_fraction():
    data = statement(BASE, SESSION, record("multiple", ["a"], fraction=0.5))
    assert data["result"]["success"] is False
    assert data["result"]["score"]["scaled"] == 0.5


def test_points_stay_within_the_range_of_the_sessions_scoring():
    plain = SessionActivity(SESSION.public_id, "t", "plain")
    speed = SessionActivity(SESSION.public_id, "t", "speed")
    assert statement(BASE, plain, record(points=1.0))["result"]["score"] == {
        "scaled": 1.0, "raw": 1.0, "min": 0.0, "max": 1.0,
    }  # fmt: skip
    assert statement(BASE, speed, record(points=1.4))["result"]["score"]["max"] == 1.5
    wrong = statement(BASE, SESSION, record(fraction=0.0, points=-6.0))
    check_statement(wrong)
    assert wrong["result"]["score"]["raw"] == -6.0


def test_without_confidence_or_time_those_parts_are_left_out():
    data = statement(BASE, SESSION, record(confidence=None, time_taken_ms=None, round=2))
    check_statement(data)
    assert "duration" not in data["result"]
    assert data["context"]["extensions"] == {f"{BASE}/xapi/extensions/round": 2}


def test_ids_are_the_same_on_every_export_and_differ_between_answers():
    first = statement(BASE, SESSION, record())
    again = statement(BASE, SESSION, record())
    assert first == again
    assert check_uuid(first["id"]).version == 5
    others = {
        statement(BASE, SESSION, record(round=2))["id"],
        statement(BASE, SESSION, record(position=1))["id"],
        statement(BASE, SESSION, record(player=8))["id"],
        statement(BASE, SessionActivity("another", "t", "plain"), record())["id"],
    }
    assert first["id"] not in others and len(others) == 4
    assert registration(SESSION) != registration(SessionActivity("another", "t", "plain"))
    assert check_uuid(registration(SESSION)).version == 5


def test_durations_are_seconds_to_the_hundredth():
    assert duration(12_500) == "PT12.5S"
    assert duration(0) == "PT0S"
    assert duration(61_000) == "PT61S"
    assert duration(1_234) == "PT1.23S"
    for milliseconds in (0, 5, 999, 12_500, 3_600_000):
        assert DURATION.match(duration(milliseconds))


def test_timestamps_are_utc_with_milliseconds_whatever_they_were_given_in():
    shanghai = timezone(timedelta(hours=8))
    assert timestamp(WHEN.astimezone(shanghai)) == "2024-03-01T09:30:05.123+00:00"
    # SQLite hands back naive times; they are UTC.
    assert timestamp(datetime(2024, 3, 1, 9, 30)) == "2024-03-01T09:30:00.000+00:00"


def test_a_relative_or_foreign_base_address_is_refused():
    for base in ("/", "quiz.example", "ftp://quiz.example", ""):
        with pytest.raises(ValueError):
            statement(base, SESSION, record())


def test_a_long_prompt_is_cut_in_the_name_but_whole_in_the_description():
    long = content("true_false", answer=True, prompt={"zh": "长" * 300, "en": "word " * 100})
    question = AskedQuestion("starter", "long", 1, long, True)
    definition = statement(BASE, SESSION, record("true_false", True, question=question))["object"][
        "definition"
    ]
    assert len(definition["name"]["zh-CN"]) == 100 and definition["name"]["zh-CN"].endswith("…")
    assert len(definition["description"]["zh-CN"]) == 300


def test_json_lines_are_one_statement_per_line_with_chinese_as_it_is():
    records = [record(), record(round=2), record("claim", "supported", position=1)]
    text = json_lines(BASE, SESSION, records)
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == 3
    assert "小明" in text and "\\u" not in text
    parsed = [json.loads(line) for line in lines]
    assert len({statement["id"] for statement in parsed}) == 3
    for data in parsed:
        check_statement(data)


def test_the_json_array_holds_the_same_statements_as_the_lines():
    records = [record(), record(round=2), record("claim", "supported", position=1)]
    text = json_array(BASE, SESSION, records)
    assert "小明" in text and "\\u" not in text
    parsed = json.loads(text)
    assert parsed == [json.loads(line) for line in json_lines(BASE, SESSION, records).splitlines()]
    assert json.loads(json_array(BASE, SESSION, [])) == []


def test_every_shipped_question_answered_right_and_wrong_makes_a_valid_statement(shipped):
    """Every question of every shipped bank, with the response the app stores
    for a right and a wrong answer: a valid statement, and the right one
    matches its correct responses pattern as an LRS would read it."""
    count = 0
    for bank in shipped.banks:
        for spec in bank.questions:
            kind = spec.content["type"]
            for values, right in (
                (right_values(spec.content), True),
                (wrong_values(spec.content), False),
            ):
                stored = REGISTRY[kind].read_response(values, spec.content)
                fraction = REGISTRY[kind].grade(spec.content["answer"], stored)
                question = AskedQuestion(bank.slug, spec.key, 1, spec.content, True)
                data = statement(BASE, SESSION, record(kind, stored, fraction, question=question))
                check_statement(data)
                assert data["result"]["success"] is right
                pattern = data["object"]["definition"]["correctResponsesPattern"]
                assert matches(data["object"]["definition"]["interactionType"], pattern,
                               data["result"]["response"]) is right, (bank.slug, spec.key)  # fmt: skip
                count += 1
    assert count > 100


def matches(interaction: str, patterns: list[str], response: str) -> bool:
    """Whether ``response`` matches one of ``patterns`` as xAPI 1.0.3 reads them
    (Data 2.4.4.1: response patterns, characterstring parameters)."""
    for pattern in patterns:
        if interaction == "choice" and set(pattern.split("[,]")) == set(response.split("[,]")):
            return True
        if interaction == "true-false" and pattern == response:
            return True
        if interaction == "numeric":
            low, _, high = pattern.partition("[:]") if "[:]" in pattern else (pattern, "", pattern)
            value = float(response)
            if (not low or float(low) <= value + 1e-9) and (
                not high or value - 1e-9 <= float(high)
            ):
                return True
        if interaction == "fill-in":
            case_matters = not pattern.startswith("{case_matters=false}")
            text = pattern.removeprefix("{case_matters=false}")
            if text == response or (not case_matters and text.casefold() == response.casefold()):
                return True
    return False
