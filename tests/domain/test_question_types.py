"""The question type registry and grading."""

import pytest

from quizapp.domain.question_types import REGISTRY, QuestionType, register


def test_the_registry_has_the_five_bank_types():
    assert set(REGISTRY) == {"single", "multiple", "true_false", "numeric", "short_text"}


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
