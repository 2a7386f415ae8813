"""Fair grading of typed answers (quizapp.domain.grading): a table of real
learner inputs, and properties that hold for every answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.domain.grading import fold_answer, read_quantity, same_answer
from quizapp.domain.question_types import REGISTRY, ResponseError

SHORT = REGISTRY["short_text"]
NUMERIC = REGISTRY["numeric"]


def graded_text(accepted: list[str], typed: str) -> float:
    return SHORT.grade(accepted, SHORT.read_response([typed], {"answer": accepted}))


def graded_number(answer: dict, typed: str) -> float:
    return NUMERIC.grade(answer, NUMERIC.read_response([typed], {"answer": answer}))


# What learners typed, and what a fair marker says of it.
TEXT_TABLE = [
    (["Seeing is believing"], "Seeing is believing.", 1.0),
    (["Seeing is believing"], "“seeing is believing!”", 1.0),
    (["AI换脸"], "“AI换脸”", 1.0),
    (["AI换脸"], "AI換臉", 1.0),  # traditional characters
    (["AI换脸"], "ａｉ换脸。", 1.0),  # full width, a final full stop
    (["流浪地球2"], "《流浪地球2》", 1.0),
    (["深度伪造", "deepfake"], "Deep-fake", 1.0),
    (["深度伪造", "deepfake"], "deep fake", 1.0),
    (["深度伪造", "deepfake"], "深度偽造", 1.0),
    (["丢帧", "跳帧", "frame loss", "dropped frames"], "跳幀", 1.0),
    (["丢帧", "跳帧", "frame loss", "dropped frames"], "Frame loss.", 1.0),
    (["深度伪造"], "伪造", 0.0),
    (["深度伪造"], "深度伪造技术", 0.0),
    (["Sora"], "Sora?", 1.0),
    (["Sora"], "Sorah", 0.0),
    (["red team"], "a red team", 1.0),  # an English article
    (["prediction"], "predictions", 1.0),  # a plural
    (["专家"], "专家们", 1.0),
    (["cause and effect"], "cause & effect", 1.0),
    (["prediction"], "predict", 0.0),
]


@pytest.mark.parametrize(("accepted", "typed", "score"), TEXT_TABLE)
def test_written_answers_are_graded_as_a_fair_marker_would(accepted, typed, score):
    assert graded_text(accepted, typed) == score


NUMBER_TABLE = [
    # answer, typed, score
    ({"value": 2023, "tolerance": 0}, "2023年", 1.0),
    ({"value": 2023, "tolerance": 0}, "二〇二三年", 1.0),
    ({"value": 24, "tolerance": 0}, "24th", 1.0),
    ({"value": 24, "tolerance": 0}, "第24", 1.0),
    ({"value": 1, "tolerance": 0, "month": 3}, "March 1", 1.0),
    ({"value": 1, "tolerance": 0, "month": 3}, "March 1st", 1.0),
    ({"value": 1, "tolerance": 0, "month": 3}, "1 March 2024", 1.0),
    ({"value": 1, "tolerance": 0, "month": 3}, "3月1日", 1.0),
    ({"value": 1, "tolerance": 0, "month": 3}, "2024-03-01", 1.0),
    ({"value": 1, "tolerance": 0, "month": 3}, "1", 1.0),
    ({"value": 20, "tolerance": 0}, "20日", 1.0),
    ({"value": 20, "tolerance": 0}, "20号", 1.0),
    ({"value": 3, "tolerance": 0}, "三", 1.0),
    ({"value": 3, "tolerance": 0}, "3个", 1.0),
    ({"value": 2, "tolerance": 0}, "两", 1.0),
    ({"value": 10, "tolerance": 0, "unit": {"zh": "万", "en": "万 (ten thousands)"}}, "10万", 1.0),
    (
        {"value": 10, "tolerance": 0, "unit": {"zh": "万", "en": "万 (ten thousands)"}},
        "100000",
        1.0,
    ),
    ({"value": 10, "tolerance": 0, "unit": {"zh": "万", "en": "万 (ten thousands)"}}, "十万", 1.0),
    ({"value": 10, "tolerance": 0, "unit": {"zh": "万", "en": "万 (ten thousands)"}}, "10", 1.0),
    (
        {"value": 10, "tolerance": 0, "unit": {"zh": "万", "en": "万 (ten thousands)"}},
        "100 thousand",
        1.0,
    ),
    ({"value": 10, "tolerance": 0, "unit": {"zh": "万", "en": "万 (ten thousands)"}}, "11万", 0.0),
    (
        {"value": 2000, "tolerance": 0, "unit": {"zh": "亿美元", "en": "亿 US dollars"}},
        "2000亿",
        1.0,
    ),
    (
        {"value": 2000, "tolerance": 0, "unit": {"zh": "亿美元", "en": "亿 US dollars"}},
        "200 billion",
        1.0,
    ),
    (
        {"value": 2000, "tolerance": 0, "unit": {"zh": "亿美元", "en": "亿 US dollars"}},
        "2000亿美元",
        1.0,
    ),
    ({"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}, "60 seconds", 1.0),
    ({"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}, "六十秒", 1.0),
    ({"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}, "60s", 1.0),
    ({"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}, "约60秒", 1.0),
    ({"value": 50, "tolerance": 0, "unit": {"zh": "%", "en": "%"}}, "50 percent", 1.0),
    ({"value": 50, "tolerance": 0, "unit": {"zh": "%", "en": "%"}}, "５０％", 1.0),
    ({"value": 1000, "tolerance": 0}, "1,000", 1.0),
    (
        {"value": 200, "tolerance": 0, "unit": {"zh": "十亿美元", "en": "billion US dollars"}},
        "200 billion",
        1.0,
    ),
    (
        {"value": 200, "tolerance": 0, "unit": {"zh": "十亿美元", "en": "billion US dollars"}},
        "2000亿",
        1.0,
    ),
    (
        {"value": 200, "tolerance": 0, "unit": {"zh": "十亿美元", "en": "billion US dollars"}},
        "$200 billion",
        1.0,
    ),
    (
        {"value": 200, "tolerance": 0, "unit": {"zh": "十亿美元", "en": "billion US dollars"}},
        "200 billion US dollars",
        1.0,
    ),
    (
        {"value": 200, "tolerance": 0, "unit": {"zh": "十亿美元", "en": "billion US dollars"}},
        "200",
        1.0,
    ),
    ({"value": 3, "tolerance": 0, "unit": {"zh": "位", "en": "experts"}}, "3人", 1.0),
    ({"value": 3, "tolerance": 0, "unit": {"zh": "位", "en": "experts"}}, "3名", 1.0),
    ({"value": 5, "tolerance": 0, "unit": {"zh": "月", "en": "month"}}, "2024年5月", 1.0),
    ({"value": 5, "tolerance": 0, "unit": {"zh": "月", "en": "month"}}, "五月份", 1.0),
    ({"value": 1, "tolerance": 0, "unit": {"zh": "%", "en": "%"}}, "百分之一", 1.0),
    ({"value": 2, "tolerance": 0}, "第二节", 1.0),
    ({"value": 2, "tolerance": 0}, "section 2", 1.0),
    ({"value": 18, "tolerance": 0}, "19", 0.0),
]


@pytest.mark.parametrize(("answer", "typed", "score"), NUMBER_TABLE)
def test_written_numbers_are_read_with_their_units_and_scales(answer, typed, score):
    assert graded_number(answer, typed) == score


@pytest.mark.parametrize(
    ("answer", "typed"),
    [
        ({"value": 1, "tolerance": 0}, "sixty"),
        ({"value": 1, "tolerance": 0}, "不知道"),
        ({"value": 60, "tolerance": 0, "unit": {"zh": "秒", "en": "seconds"}}, "60 metres"),
        ({"value": 1, "tolerance": 0}, "1e999"),
        ({"value": 1, "tolerance": 0}, "???"),
    ],
)
def test_an_answer_that_cannot_be_read_as_a_number_gets_a_message_not_a_mark(answer, typed):
    with pytest.raises(ResponseError) as refused:
        NUMERIC.read_response([typed], {"answer": answer})
    assert refused.value.code == "not_a_number"


@pytest.mark.parametrize(
    ("answer", "typed", "code"),
    [
        # The day of another month is not the day asked for.
        ({"value": 1, "tolerance": 0, "month": 3}, "February 1", "other_month"),
        ({"value": 1, "tolerance": 0, "month": 3}, "4月1日", "other_month"),
        ({"value": 20, "tolerance": 0, "month": 2}, "March 20", "other_month"),
        # A date where the question asks for a plain number.
        ({"value": 20, "tolerance": 0}, "20 January", "just_the_number"),
    ],
)
def test_a_date_is_read_with_its_month(answer, typed, code):
    with pytest.raises(ResponseError) as refused:
        NUMERIC.read_response([typed], {"answer": answer})
    assert refused.value.code == code


words = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0x9FFF),
    min_size=1,
    max_size=12,
)
wrappers = st.sampled_from(["", "“", "”", '"', "'", "《", "》", "。", ".", "!", "？", " ", "「"])


@given(words, st.lists(wrappers, max_size=3), st.lists(wrappers, max_size=3))
def test_punctuation_and_quotes_around_an_answer_never_change_its_grade(word, before, after):
    assert same_answer("".join(before) + word + "".join(after), [word])


latin_and_han = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789深度伪造换脸丢帧"
    ),
    min_size=1,
    max_size=12,
)


@given(latin_and_han)
def test_case_and_width_never_change_a_grade(word):
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)
    assert same_answer(wide.upper(), [word.lower()]) == same_answer(word, [word.lower()])


@given(words, words)
def test_different_words_are_different_answers(first, second):
    if fold_answer(first) != fold_answer(second):
        assert not same_answer(first, [second])


@given(st.integers(min_value=0, max_value=10**12))
def test_every_whole_number_reads_back_in_digits_and_with_separators(number):
    assert read_quantity(str(number)).value == number
    assert read_quantity(f"{number:,}").value == number
    assert read_quantity(f"{number}年").value == number


@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals_read_as_their_value(number):
    import cn2an

    assert read_quantity(cn2an.an2cn(number)).value == number
