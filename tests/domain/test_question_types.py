"""The question type registry and grading."""

import pytest

from quizapp.domain.question_types import REGISTRY, QuestionType, ResponseError, register


def test_the_registry_has_the_six_bank_types():
    assert set(REGISTRY) == {"single", "multiple", "true_false", "claim", "numeric", "short_text"}


def test_registering_a_class_adds_a_type():
    @register
    class Essay(QuestionType):
        name = "essay_for_test"

    try:
        assert isinstance(REGISTRY["essay_for_test"], Essay)
    finally:
        del REGISTRY["essay_for_test"]


@pytest.mark.parametrize(
    ("kind", "answer", "response", "expected"),
    [
        ("single", "a", "a", 1.0),
        ("single", "a", "b", 0.0),
        ("multiple", ["a", "c"], ["a", "c"], 1.0),
        ("multiple", ["a", "c"], ["a"], 0.5),
        ("multiple", ["a", "c"], ["a", "b"], 0.0),
        ("multiple", ["a", "c"], ["b", "d"], 0.0),
        ("true_false", True, True, 1.0),
        ("true_false", True, False, 0.0),
        ("true_false", False, None, 0.0),
        ("numeric", {"value": 60, "tolerance": 0}, 60, 1.0),
        ("numeric", {"value": 60, "tolerance": 5}, 64.5, 1.0),
        ("numeric", {"value": 60, "tolerance": 5}, 66, 0.0),
        ("numeric", {"value": 60, "tolerance": 0}, "60", 0.0),
        ("short_text", ["深度伪造", "deepfake"], " DeepFake ", 1.0),
        ("short_text", ["60秒"], "６０ 秒", 1.0),
        ("short_text", ["深度伪造"], "伪造", 0.0),
    ],
)
def test_grading(kind, answer, response, expected):
    assert REGISTRY[kind].grade(answer, response) == expected


CHOICES = {"choices": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}


@pytest.mark.parametrize(
    ("kind", "content", "values", "expected"),
    [
        ("single", CHOICES, ["b"], "b"),
        ("multiple", CHOICES, ["c", "a"], ["a", "c"]),
        ("multiple", CHOICES, ["a", "a"], ["a"]),
        ("true_false", {}, ["true"], True),
        ("true_false", {}, ["false"], False),
        ("numeric", {"answer": {"value": 60, "tolerance": 0}}, ["60"], 60),
        ("numeric", {"answer": {"value": 60, "tolerance": 0}}, ["６０"], 60),
        ("numeric", {"answer": {"value": 1, "tolerance": 0}}, [" 1,000.5 "], 1000.5),
        ("numeric", {"answer": {"value": 1, "tolerance": 0}}, ["−3"], -3),
        (
            "numeric",
            {"answer": {"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}},
            ["60 秒"],
            60,
        ),
        (
            "numeric",
            {"answer": {"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}},
            ["60 Seconds"],
            60,
        ),
        (
            "numeric",
            {
                "answer": {
                    "value": 2000,
                    "tolerance": 0,
                    "unit": {"zh": "亿美元", "en": "亿 US dollars"},
                }
            },
            ["2000亿"],
            2000,
        ),
        ("short_text", {}, ["  深度伪造 "], "深度伪造"),
    ],
)
def test_reading_a_submitted_response(kind, content, values, expected):
    assert REGISTRY[kind].read_response(values, content) == expected


@pytest.mark.parametrize(
    ("kind", "content", "values", "code"),
    [
        ("single", CHOICES, [], "missing"),
        ("single", CHOICES, ["  "], "missing"),
        ("single", CHOICES, ["z"], "unknown_choice"),
        ("multiple", CHOICES, [], "missing"),
        ("multiple", CHOICES, ["a", "z"], "unknown_choice"),
        ("true_false", {}, ["maybe"], "unknown_choice"),
        ("numeric", {"answer": {"value": 1, "tolerance": 0}}, ["sixty"], "not_a_number"),
        ("numeric", {"answer": {"value": 1, "tolerance": 0}}, ["60 minutes"], "not_a_number"),
        ("numeric", {"answer": {"value": 1, "tolerance": 0}}, ["1e999"], "not_a_number"),
        ("short_text", {}, ["x" * 201], "too_long"),
    ],
)
def test_a_response_that_is_not_an_answer_is_refused_with_a_reason(kind, content, values, code):
    with pytest.raises(ResponseError) as refused:
        REGISTRY[kind].read_response(values, content)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("kind", "content", "responses"),
    [
        ("single", {"choices": [{"id": "a"}, {"id": "b"}]}, ["b"]),
        ("multiple", {"choices": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}, [["a", "c"]]),
        ("true_false", {}, [True, False]),
        ("claim", {}, ["supported", "not_supported"]),
        ("numeric", {"answer": {"value": 60}}, [60, 2.5, 0.1 + 0.2, -3, 0.00001]),
        ("short_text", {}, ["AI换脸"]),
    ],
)
def test_a_saved_response_shown_in_its_form_again_reads_back_the_same(kind, content, responses):
    """``form_values`` is the inverse of ``read_response`` (a test's draft, a
    phone's own choice): what the form shows is what was saved."""
    question_type = REGISTRY[kind]
    for response in responses:
        values = question_type.form_values(response)
        assert question_type.read_response(values, content) == response
    assert question_type.form_values(None) == []
