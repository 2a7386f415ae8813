"""Readable differences between two versions of a question (quizapp.domain.versions)."""

from __future__ import annotations

import copy
import random

import pytest

from quizapp.domain import versions
from quizapp.domain.versions import MAX_DIFF_PAIRS, Field, changes


def make_content(**overrides) -> dict:
    """A question's canonical content, as stored in a version."""
    content = {
        "type": "single",
        "status": "published",
        "difficulty": 1,
        "tags": ["sora-limits"],
        "prompt": {"zh": "饼干怎么了?", "en": "What happened to the cookie?"},
        "explanation": {"zh": "OpenAI 承认的局限。", "en": "A limit OpenAI admits."},
        "choices": [
            {"id": "a", "text": {"zh": "没有咬痕", "en": "No bite mark"}},
            {"id": "b", "text": {"zh": "变成了蛋糕", "en": "It became a cake"}},
        ],
        "answer": "a",
        "sources": [{"doc": "huanqiu-2024-02", "exact": "一个人咬了一口饼干"}],
    }
    content.update(overrides)
    return content


def edited(content: dict, edit) -> dict:
    """A deep copy of ``content`` changed by ``edit``."""
    after = copy.deepcopy(content)
    edit(after)
    return after


def change_of(found, name: str, item: str | None = None, language: str | None = None):
    """The one change to ``Field(name, item, language)`` in ``found``."""
    (change,) = [c for c in found if c.field == Field(name, item, language)]
    return change


def test_identical_content_has_no_changes():
    assert changes(make_content(), make_content()) == []


def test_a_one_character_chinese_edit_keeps_the_rest_of_the_line_the_same():
    before = make_content()
    after = edited(before, lambda c: c["prompt"].update(zh="饼干怎样了?"))
    (change,) = changes(before, after)
    assert change.field == Field("prompt", None, "zh")
    assert (change.before, change.after) == ("饼干怎么了?", "饼干怎样了?")
    assert change.pieces == (
        ("same", "饼干怎"),
        ("removed", "么"),
        ("added", "样"),
        ("same", "了?"),
    )


def test_a_replaced_english_word_is_removed_and_added_whole():
    before = make_content()
    after = edited(before, lambda c: c["prompt"].update(en="What happened to the biscuit?"))
    (change,) = changes(before, after)
    assert change.pieces == (
        ("same", "What happened to the "),
        ("removed", "cookie"),
        ("added", "biscuit"),
        ("same", "?"),
    )


def test_the_pieces_of_a_change_read_back_as_the_old_and_the_new_text():
    before = make_content()
    after = edited(
        before,
        lambda c: c["explanation"].update(
            zh="OpenAI 公开承认的两个局限。", en="Two limits admitted."
        ),
    )
    for change in changes(before, after):
        old = "".join(text for kind, text in change.pieces if kind != "added")
        new = "".join(text for kind, text in change.pieces if kind != "removed")
        assert (old, new) == (change.before, change.after)


def test_a_status_change_is_shown_whole_old_then_new():
    before = make_content()
    after = edited(before, lambda c: c.update(status="draft"))
    (change,) = changes(before, after)
    assert change.field == Field("status")
    assert change.pieces == (("removed", "published"), ("added", "draft"))


def test_an_answer_change_is_shown_whole_old_then_new():
    before = make_content(type="numeric", answer={"value": 60, "tolerance": 0})
    del before["choices"]
    after = edited(before, lambda c: c.update(answer={"value": 61.5, "tolerance": 2}))
    (change,) = changes(before, after)
    assert change.field == Field("answer")
    assert change.pieces == (("removed", "60"), ("added", "61.5 ± 2"))


def test_an_added_choice_shows_its_text_and_the_new_order():
    before = make_content()
    new_choice = {"id": "c", "text": {"zh": "咬痕变大", "en": "A bigger bite"}}
    after = edited(before, lambda c: c["choices"].append(new_choice))
    found = changes(before, after)
    assert change_of(found, "choice_order").pieces == (("removed", "a, b"), ("added", "a, b, c"))
    added = change_of(found, "choice", "c", "en")
    assert (added.before, added.after, added.pieces) == (
        None,
        "A bigger bite",
        (("added", "A bigger bite"),),
    )
    assert change_of(found, "choice", "c", "zh").pieces == (("added", "咬痕变大"),)


def test_a_removed_choice_shows_its_text_gone():
    before = make_content()
    after = edited(before, lambda c: c["choices"].pop())
    found = changes(before, after)
    assert change_of(found, "choice_order").pieces == (("removed", "a, b"), ("added", "a"))
    removed = change_of(found, "choice", "b", "zh")
    assert (removed.before, removed.after, removed.pieces) == (
        "变成了蛋糕",
        None,
        (("removed", "变成了蛋糕"),),
    )
    assert change_of(found, "choice", "b", "en").pieces == (("removed", "It became a cake"),)


def test_a_changed_source_shows_its_document_and_quote_with_context():
    before = make_content()
    after = edited(
        before,
        lambda c: c["sources"].append(
            {"doc": "21jingji-2024-02", "exact": "饼干", "prefix": "咬一口", "suffix": "之后"}
        ),
    )
    (change,) = changes(before, after)
    assert change.field == Field("source", "2")
    assert change.after == "21jingji-2024-02: 咬一口[饼干]之后"
    assert change.pieces == (("added", "21jingji-2024-02: 咬一口[饼干]之后"),)


def test_an_edited_quote_is_compared_character_by_character():
    before = make_content()
    after = edited(before, lambda c: c["sources"][0].update(exact="一个人咬了两口饼干"))
    (change,) = changes(before, after)
    assert change.field == Field("source", "1")
    assert ("removed", "一") in change.pieces and ("added", "两") in change.pieces
    assert change.pieces[0] == ("same", "huanqiu-2024-02: [一个人咬了")


def test_everything_is_added_when_there_is_no_version_before():
    content = make_content()
    found = changes(None, content)
    assert all(c.before is None and c.pieces == (("added", c.after),) for c in found)
    assert [c.field for c in found] == [
        Field("type"),
        Field("status"),
        Field("difficulty"),
        Field("tags"),
        Field("prompt", None, "zh"),
        Field("prompt", None, "en"),
        Field("choice_order"),
        Field("choice", "a", "zh"),
        Field("choice", "a", "en"),
        Field("choice", "b", "zh"),
        Field("choice", "b", "en"),
        Field("answer"),
        Field("explanation", None, "zh"),
        Field("explanation", None, "en"),
        Field("source", "1"),
    ]
    assert change_of(found, "source", "1").after == "huanqiu-2024-02: [一个人咬了一口饼干]"


# A character diff compares every token with every other at worst: it is bounded


@pytest.fixture
def compared(monkeypatch) -> list[int]:
    """The token pairs of every character diff made (one over the bound fails at once)."""
    pairs = []
    real = versions.difflib.SequenceMatcher

    def counted(junk, a, b, **options):
        pairs.append(len(a) * len(b))
        assert pairs[-1] <= MAX_DIFF_PAIRS, "an unbounded diff"
        return real(junk, a, b, **options)

    monkeypatch.setattr(versions.difflib, "SequenceMatcher", counted)
    return pairs


def long_text(seed: int, length: int = 20_000) -> str:
    """``length`` characters from a few common ones: the worst case for difflib."""
    rng = random.Random(seed)
    return "".join(rng.choice("的一是不了在人有我他这中大来上") for _ in range(length))


def test_two_rewritten_long_prompts_are_shown_removed_then_added(compared):
    before, after = make_content(), make_content()
    before["prompt"]["zh"], after["prompt"]["zh"] = long_text(1), long_text(2)
    change = change_of(changes(before, after), "prompt", language="zh")
    assert compared == []
    joined = [
        "".join(text for kind, text in change.pieces if kind != k) for k in ("added", "removed")
    ]
    assert joined == [change.before, change.after]
    assert [kind for kind, _ in change.pieces][-2:] == ["removed", "added"]


def test_a_small_edit_in_a_long_prompt_is_still_shown_as_small(compared):
    before = make_content()
    before["prompt"]["zh"] = long_text(1)
    text = before["prompt"]["zh"]
    after = edited(before, lambda c: c["prompt"].update(zh=text[:9_000] + "饼干" + text[9_001:]))
    change = change_of(changes(before, after), "prompt", language="zh")
    assert compared == [2]  # the one token removed against the two added
    assert [kind for kind, _ in change.pieces] == ["same", "removed", "added", "same"]
    assert change.pieces[2] == ("added", "饼干") and len(change.pieces[1][1]) == 1
