"""Folding text and anchoring quotes in it."""

import pytest

from quizapp.domain import anchoring
from quizapp.domain.anchoring import (
    MAX_PLACES,
    MAX_SEARCH_WORK,
    MAX_SEARCHED_QUOTE,
    MAX_SEARCHES,
    AnchorError,
    SearchBudget,
    Selector,
    locate,
    searchable_length,
    suggest,
)
from quizapp.domain.text import fold, line_and_column


def anchor(text: str, exact: str, prefix=None, suffix=None):
    return locate(fold(text), text, Selector(exact, prefix, suffix))


def test_folding_drops_every_kind_of_white_space_and_remembers_offsets():
    folded = fold("a\u00a0b\n\nc\u3000d")
    assert folded.text == "abcd"
    assert folded.origin == (0, 2, 5, 7)


def test_folding_makes_full_width_characters_match_ascii():
    assert fold("６０，ＡＩ").text == "60,AI"


def test_line_and_column_are_one_based():
    assert line_and_column("ab\ncd", 4) == (2, 2)


def test_a_quote_broken_across_lines_anchors_to_the_original_range():
    text = "前文。两个字符之间没有模态意义上的连续\n\n性。后文"
    found = anchor(text, "没有模态意义上的连续性。")
    assert text[found.start : found.end] == "没有模态意义上的连续\n\n性。"


def test_a_quote_matches_across_no_break_spaces():
    text = "【环球时报记者\u00a0丁雅栀\u00a0环球时报】"
    found = anchor(text, "环球时报记者 丁雅栀")
    assert text[found.start : found.end] == "环球时报记者\u00a0丁雅栀"


def test_a_quote_found_twice_is_refused_with_both_places():
    with pytest.raises(AnchorError, match=r"found 2 times.*line 1.*line 2"):
        anchor("Sora 来了\nSora 来了", "Sora 来了")


def test_a_prefix_chooses_between_repeats():
    text = "甲说:好。乙说:好。"
    found = anchor(text, "好。", prefix="乙说:")
    assert found.start == text.rindex("好")


def test_a_suffix_chooses_between_repeats():
    text = "好,甲。好,乙。"
    assert anchor(text, "好", suffix=",乙").start == text.rindex("好")


def test_a_prefix_that_never_matches_is_reported():
    with pytest.raises(AnchorError, match="never with the given prefix/suffix"):
        anchor("甲说:好。", "好。", prefix="丙说:")


def test_a_missing_quote_comes_with_the_closest_passage_and_its_line():
    text = "第一行\n模型还可能混淆提示的空间细节,例如混淆左右。"
    with pytest.raises(AnchorError) as raised:
        anchor(text, "模型可能混淆提示的空间细节")
    message = str(raised.value)
    assert "quote not found" in message and "line 2" in message
    assert "混淆提示的空间细节" in message


def test_an_empty_quote_is_refused():
    with pytest.raises(AnchorError, match="empty"):
        anchor("text", " \u00a0 ")


# The closest-passage search is bounded (a 19,000-character quote took 40 s)


@pytest.fixture
def searches(monkeypatch) -> list[tuple[int, int]]:
    """Every closest-passage search made, as (quote length, article length)."""
    made = []
    real = anchoring.fuzz.partial_ratio_alignment

    def counted(quote, article, **options):
        made.append((len(quote), len(article)))
        return real(quote, article, **options)

    monkeypatch.setattr(anchoring.fuzz, "partial_ratio_alignment", counted)
    return made


ARTICLE = "第一行\n模型还可能混淆提示的空间细节,例如混淆左右。\n" * 20


def test_a_quote_longer_than_any_passage_is_not_searched_for(searches):
    quote = "这是一段文章里没有的话。" * 1600  # 19,200 characters: under the form's limit
    with pytest.raises(AnchorError) as raised:
        anchor(ARTICLE, quote)
    assert searches == []
    assert "quote not found in the source; it has 19,200 characters, too many to search" in str(
        raised.value
    )
    assert f"(at most {MAX_SEARCHED_QUOTE})" in str(raised.value)


def test_a_quote_of_the_longest_searched_length_is_searched_for(searches):
    with pytest.raises(AnchorError, match="closest passage"):
        anchor(ARTICLE, "混淆提示的空间细节" + "没" * (MAX_SEARCHED_QUOTE - 9))
    assert searches == [(MAX_SEARCHED_QUOTE, len(fold(ARTICLE).text))]


def test_in_a_long_article_only_a_shorter_quote_is_searched_for(searches):
    article = fold("模型还可能混淆提示的空间细节。" * 20_000)
    longest = searchable_length(article)
    assert longest * len(article.text) <= MAX_SEARCH_WORK and longest < MAX_SEARCHED_QUOTE
    message = suggest(article, article.text, "没" * (longest + 1))
    assert f"too many to search for the closest passage (at most {longest})" in message
    assert searches == []


def test_one_budget_searches_for_a_bounded_number_of_quotes(searches):
    folded, budget = fold(ARTICLE), SearchBudget()
    messages = []
    for number in range(MAX_SEARCHES + 5):
        with pytest.raises(AnchorError) as raised:
            locate(folded, ARTICLE, Selector(f"第{number}句文章里没有。"), budget)
        messages.append(str(raised.value))
    assert len(searches) == MAX_SEARCHES
    assert all("closest passage (" in message for message in messages[:MAX_SEARCHES])
    assert messages[-1] == (
        "quote not found in the source; the closest passage is searched for the first "
        f"{MAX_SEARCHES} quotes not found only"
    )


def test_a_quote_found_many_times_lists_a_few_of_its_places():
    with pytest.raises(AnchorError) as raised:
        anchor(ARTICLE, "混淆左右。")
    message = str(raised.value)
    assert message.startswith("quote found 20 times; add a prefix or suffix to choose one (")
    assert message.count("line ") == MAX_PLACES and message.endswith("; and 15 more)")
