"""Merging two edits of one question field by field (quizapp.domain.merge)."""

from __future__ import annotations

import copy

from quizapp.domain.banks import check_question
from quizapp.domain.merge import (
    FIELDS,
    field_lines,
    field_value,
    merge_content,
    merge_question,
    set_field,
)
from quizapp.domain.versions import Field
from tests.conftest import make_question
from tests.domain.test_versions import make_content


def edited(content: dict, **fields) -> dict:
    """A copy of ``content`` with each merged field in ``fields`` ("prompt__en" for
    "prompt.en") set to its value."""
    after = copy.deepcopy(content)
    for name, value in fields.items():
        set_field(after, name.replace("__", "."), value)
    return after


BASE = make_content()
CHOICES_AFTER = {
    "choices": [
        {"id": "a", "text": {"zh": "没有咬痕", "en": "No bite mark at all"}},
        {"id": "b", "text": {"zh": "变成了蛋糕", "en": "It became a cake"}},
    ],
    "answer": "a",
}


# The rule, one row at a time


def test_a_field_only_mine_changed_keeps_mine():
    mine = edited(BASE, prompt__en="Mine")
    merged = merge_content(BASE, mine, BASE)
    assert merged.content == mine
    assert (merged.conflicts, merged.taken_from_theirs) == ((), ())


def test_a_field_only_theirs_changed_takes_theirs():
    theirs = edited(BASE, difficulty=3)
    merged = merge_content(BASE, BASE, theirs)
    assert merged.content == theirs
    assert (merged.conflicts, merged.taken_from_theirs) == ((), ("difficulty",))


def test_a_field_both_changed_the_same_way_is_kept_and_not_counted_as_theirs():
    both = edited(BASE, tags=["sora-limits", "hype"])
    merged = merge_content(BASE, both, copy.deepcopy(both))
    assert merged.content == both
    assert (merged.conflicts, merged.taken_from_theirs) == ((), ())


def test_a_field_both_changed_differently_is_a_conflict_and_keeps_mine():
    mine, theirs = edited(BASE, prompt__en="Mine"), edited(BASE, prompt__en="Theirs")
    merged = merge_content(BASE, mine, theirs)
    assert merged.conflicts == ("prompt.en",)
    assert field_value(merged.content, "prompt.en") == "Mine"
    assert merged.spec is None


def test_nothing_changed_on_either_side_merges_to_the_base():
    merged = merge_content(BASE, copy.deepcopy(BASE), copy.deepcopy(BASE))
    assert merged.content == BASE
    assert (merged.conflicts, merged.taken_from_theirs) == ((), ())


# Granularity


def test_the_two_languages_of_one_text_merge_separately():
    mine = edited(BASE, prompt__zh="我的")
    theirs = edited(BASE, prompt__en="Theirs", explanation__zh="他们的")
    merged = merge_content(BASE, mine, theirs)
    assert merged.content["prompt"] == {"zh": "我的", "en": "Theirs"}
    assert merged.content["explanation"]["zh"] == "他们的"
    assert merged.conflicts == ()
    assert merged.taken_from_theirs == ("prompt.en", "explanation.zh")


def test_edits_to_many_different_fields_all_come_through():
    mine = edited(BASE, status="draft", tags=["hype"], explanation__en="Mine")
    theirs = edited(BASE, type="multiple", difficulty=2, answer={**CHOICES_AFTER, "answer": ["a"]})
    merged = merge_content(BASE, mine, theirs)
    assert merged.conflicts == ()
    assert merged.content == {
        **theirs,
        "status": "draft",
        "tags": ["hype"],
        "explanation": {**BASE["explanation"], "en": "Mine"},
    }
    assert merged.taken_from_theirs == ("type", "difficulty", "answer")


def test_choices_and_answer_are_one_field_so_a_new_text_and_a_new_answer_conflict():
    mine = edited(BASE, answer=CHOICES_AFTER)  # a choice's text
    theirs = edited(BASE, answer={**field_value(BASE, "answer"), "answer": "b"})
    merged = merge_content(BASE, mine, theirs)
    assert merged.conflicts == ("answer",)
    assert merged.content["choices"] == CHOICES_AFTER["choices"]
    assert merged.content["answer"] == "a"


def test_the_answer_alone_changed_by_theirs_brings_their_choices_with_it():
    theirs = edited(BASE, answer={**CHOICES_AFTER, "answer": "b"})
    merged = merge_content(BASE, edited(BASE, prompt__zh="我的"), theirs)
    assert merged.conflicts == ()
    assert (merged.content["choices"], merged.content["answer"]) == (
        CHOICES_AFTER["choices"],
        "b",
    )


def test_a_field_one_side_removed_and_the_other_left_is_removed():
    base = edited(BASE, wrong_feedback__zh="错了。", wrong_feedback__en="Wrong.")
    theirs = edited(base, wrong_feedback__zh=None, wrong_feedback__en=None)
    merged = merge_content(base, copy.deepcopy(base), theirs)
    assert "wrong_feedback" not in merged.content
    assert merged.taken_from_theirs == ("wrong_feedback.zh", "wrong_feedback.en")


def test_the_passages_merge_as_one_list():
    other = {"doc": "huanqiu-2024-02", "exact": "学术界"}
    mine = edited(BASE, sources=[*BASE["sources"], other])
    theirs = edited(BASE, sources=[{**BASE["sources"][0], "prefix": "例如,"}])
    assert merge_content(BASE, mine, theirs).conflicts == ("sources",)
    assert merge_content(BASE, mine, BASE).content["sources"] == mine["sources"]


def test_a_top_level_key_the_fields_do_not_name_is_still_merged_whole():
    theirs = {**BASE, "hint": {"zh": "提示", "en": "A hint"}}
    merged = merge_content(BASE, copy.deepcopy(BASE), theirs)
    assert merged.content["hint"] == {"zh": "提示", "en": "A hint"}
    assert merged.taken_from_theirs == ("hint",)


def test_the_fields_follow_the_editors_form():
    assert FIELDS[:4] == ("type", "status", "difficulty", "tags")
    assert FIELDS[-1] == "sources"


# Held to the rules of a save


def canonical(catalog, **overrides) -> dict:
    """The stored content of the test question q1, with ``overrides``."""
    spec, problems = check_question(make_question(**overrides), catalog)
    assert problems == []
    return spec.content


def test_a_valid_merge_comes_with_its_checked_question(catalog):
    base = canonical(catalog)
    mine = edited(base, prompt__en="What happened to the biscuit?")
    theirs = edited(base, difficulty=2)
    merged = merge_question("q1", base, mine, theirs, catalog)
    assert merged.conflicts == ()
    assert merged.spec is not None and merged.spec.key == "q1"
    assert merged.content == merged.spec.content
    assert (merged.content["difficulty"], merged.content["prompt"]["en"]) == (
        2,
        "What happened to the biscuit?",
    )
    assert [c.doc for c in merged.spec.citations] == ["huanqiu-2024-02"]


def test_a_merge_the_format_refuses_turns_the_fields_taken_from_theirs_into_conflicts(catalog):
    # Theirs adds feedback after a wrong answer to a true-or-false question;
    # mine makes it a choice question, which may not have that feedback.
    true_false = make_question(type="true_false", answer=True)
    del true_false["choices"]
    spec, problems = check_question(true_false, catalog)
    assert problems == []
    base = spec.content
    theirs = edited(base, wrong_feedback__zh="再读一遍。", wrong_feedback__en="Read it again.")
    mine = canonical(catalog, prompt={"zh": "饼干怎么了?", "en": "What happened?"})
    assert merge_content(base, mine, theirs).conflicts == ()
    merged = merge_question("q1", base, mine, theirs, catalog)
    assert merged.conflicts == ("wrong_feedback.zh", "wrong_feedback.en")
    assert merged.content == mine and merged.spec is None


def test_a_conflicting_merge_is_not_checked(catalog):
    base = canonical(catalog)
    mine, theirs = edited(base, difficulty=2), edited(base, difficulty=3)
    merged = merge_question("q1", base, mine, theirs, catalog)
    assert merged.conflicts == ("difficulty",) and merged.spec is None


# Showing a field


def test_a_field_reads_as_the_historys_lines():
    assert field_lines(BASE, "prompt.en") == [
        (Field("prompt", None, "en"), "What happened to the cookie?")
    ]
    lines = dict(field_lines(BASE, "answer"))
    assert lines[Field("choice_order")] == "a, b"
    assert lines[Field("choice", "b", "en")] == "It became a cake"
    assert lines[Field("answer")] == "a"
    assert field_lines(BASE, "wrong_feedback.en") == []


def test_a_field_typed_as_no_question_can_hold_still_reads_as_typed():
    typed = edited(BASE, type="numeric", answer={"choices": None, "answer": {"value": "abc"}})
    ((_line, text),) = field_lines(typed, "answer")
    assert "abc" in text
