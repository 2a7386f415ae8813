"""What a learner is shown before and after answering."""

import random
from dataclasses import asdict

import pytest

from quizapp.domain.banks import check_files
from quizapp.domain.presentation import choice_order, question_view, review
from tests.answers import secrets_of
from tests.conftest import QUESTIONS


@pytest.fixture(scope="module")
def shipped(catalog):
    result = check_files([QUESTIONS], catalog)
    assert result.ok
    return [question.content for bank in result.banks for question in bank.questions]


def test_the_view_before_answering_holds_no_answer_feedback_or_source(shipped):
    for content in shipped:
        view = question_view(content, choice_order(content, random.Random(1)))
        shown = repr(asdict(view))
        assert "answer" not in asdict(view)
        for secret in secrets_of(content):
            assert secret not in shown, content["prompt"]["en"]


def test_choices_are_shown_in_the_attempt_order_without_their_feedback():
    content = {
        "type": "single",
        "prompt": {"en": "?"},
        "choices": [
            {"id": "a", "text": {"en": "A"}},
            {"id": "b", "text": {"en": "B"}, "feedback": {"en": "No."}},
            {"id": "c", "text": {"en": "C"}},
        ],
        "answer": "a",
    }
    view = question_view(content, ["c", "a", "b"])
    assert [choice.id for choice in view.choices] == ["c", "a", "b"]
    assert all(set(asdict(choice)) == {"id", "text"} for choice in view.choices)


def test_shuffling_keeps_every_choice_and_leaves_other_types_alone(shipped):
    rng = random.Random(7)
    orders = set()
    for content in shipped:
        order = choice_order(content, rng)
        if "choices" in content:
            assert sorted(order) == sorted(c["id"] for c in content["choices"])
            orders.add(tuple(order))
        else:
            assert order is None
    assert len(orders) > 1


def test_a_numeric_view_shows_its_unit_but_not_its_value():
    content = {
        "type": "numeric",
        "prompt": {"en": "How long?"},
        "answer": {"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}},
    }
    view = question_view(content, None)
    assert view.unit == {"zh": "秒", "en": "seconds"} and "60" not in repr(view)


def test_the_review_marks_picked_and_correct_choices_and_gives_their_feedback():
    content = {
        "type": "multiple",
        "prompt": {"en": "?"},
        "choices": [
            {"id": "a", "text": {"en": "A"}},
            {"id": "b", "text": {"en": "B"}, "feedback": {"en": "B is wrong."}},
            {"id": "c", "text": {"en": "C"}},
        ],
        "answer": ["a", "c"],
        "explanation": {"en": "Because."},
    }
    result = review(content, ["b", "c", "a"], ["a", "b"], 0.0)
    assert [(c.id, c.picked, c.correct) for c in result.choices] == [
        ("b", True, False),
        ("c", False, True),
        ("a", True, True),
    ]
    assert result.feedback == [{"en": "B is wrong."}]
    assert [c.id for c in result.correct_answer] == ["c", "a"]
    assert not result.right and not result.partly_right


def test_a_wrong_written_answer_gets_the_wrong_feedback_and_the_answer():
    content = {
        "type": "short_text",
        "prompt": {"en": "?"},
        "answer": ["深度伪造"],
        "explanation": {"en": "Because."},
        "wrong_feedback": {"en": "Look at the title."},
    }
    wrong = review(content, None, "伪造", 0.0)
    assert wrong.feedback == [{"en": "Look at the title."}]
    assert wrong.correct_answer == ["深度伪造"]
    assert review(content, None, "深度伪造", 1.0).feedback == []


def test_a_claim_is_shown_with_the_passages_it_is_judged_against_and_nothing_else(shipped):
    claims = [c for c in shipped if c["type"] == "claim"]
    assert claims
    for content in claims:
        view = question_view(content, None)
        assert [p["exact"] for p in view.evidence] == [s["exact"] for s in content["sources"]]
        assert [p["gloss"] for p in view.evidence] == [s.get("gloss") for s in content["sources"]]
        shown = repr(asdict(view))
        assert content["answer"] not in shown.replace("'type': 'claim'", "")
        for secret in secrets_of(content):
            assert secret not in shown, content["prompt"]["en"]


def test_no_other_type_shows_a_passage_before_it_is_answered(shipped):
    for content in shipped:
        if content["type"] != "claim":
            assert question_view(content, choice_order(content, random.Random(1))).evidence == ()
