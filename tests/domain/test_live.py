"""Rules of live sessions: options, points, the distribution, choice orders, codes."""

import random
import re

import pytest

from quizapp.domain.live import (
    SPEED_BONUS,
    TIME_LIMITS,
    OptionError,
    SessionOptions,
    clean_code,
    competition_ranks,
    device_choice_order,
    distribution,
    item_time_limit,
    live_points,
    new_code,
    response_groups,
    response_key,
    vote_shift,
)


def make_single(choices=("a", "b", "c", "d"), answer="a") -> dict:
    """A single-choice question's content with ``choices``."""
    return {
        "type": "single",
        "prompt": {"zh": "哪一个?", "en": "Which one?"},
        "choices": [{"id": c, "text": {"zh": c, "en": c.upper()}} for c in choices],
        "answer": answer,
    }


def make_multiple(answer=("a", "c")) -> dict:
    """A multiple-choice question's content with choices a to d."""
    return {**make_single(), "type": "multiple", "answer": list(answer)}


def make_true_false(answer: bool = False) -> dict:
    return {"type": "true_false", "prompt": {"zh": "对吗?", "en": "True?"}, "answer": answer}


def make_numeric() -> dict:
    return {
        "type": "numeric",
        "prompt": {"zh": "多少?", "en": "How many?"},
        "answer": {"value": 60},
    }


# SessionOptions


def test_the_default_options_are_teacher_paced_plain_scoring_without_a_time_limit():
    options = SessionOptions()
    assert (options.pacing, options.time_limit, options.scoring) == ("teacher", None, "plain")
    assert options.late_join and options.leaderboard and options.shuffle
    assert not options.asks_confidence


def test_the_speed_bonus_with_teacher_pacing_and_a_time_limit_is_accepted():
    assert SessionOptions(scoring="speed", time_limit=20).scoring == "speed"


def test_the_speed_bonus_without_a_time_limit_is_refused():
    with pytest.raises(OptionError) as refused:
        SessionOptions(scoring="speed", time_limit=None)
    assert refused.value.field == "scoring"


def test_the_speed_bonus_with_student_pacing_is_refused():
    with pytest.raises(OptionError) as refused:
        SessionOptions(pacing="student", scoring="speed")
    assert refused.value.field == "scoring"


def test_a_student_paced_session_has_no_time_limit_per_question():
    with pytest.raises(OptionError) as refused:
        SessionOptions(pacing="student", time_limit=30)
    assert refused.value.field == "time_limit"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pacing", "self"),
        ("scoring", "kahoot"),
        ("nicknames", "anything"),
        ("time_limit", 15),
        ("time_limit", 0),
        ("time_limit", "30"),
    ],
)
def test_an_unknown_option_value_is_refused_and_named(field, value):
    with pytest.raises(OptionError) as refused:
        SessionOptions(**{field: value})
    assert refused.value.field == field


@pytest.mark.parametrize("limit", TIME_LIMITS)
def test_every_offered_time_limit_is_accepted(limit):
    assert SessionOptions(time_limit=limit).time_limit == limit


def test_certainty_scoring_asks_for_confidence():
    assert SessionOptions(scoring="certainty").asks_confidence


def test_options_survive_a_round_trip_through_their_stored_form():
    options = SessionOptions(
        pacing="teacher",
        time_limit=45,
        scoring="speed",
        late_join=False,
        leaderboard=False,
        nicknames="generated",
        shuffle=False,
        max_players=35,
        discussion=True,
        scoreboard=True,
        auto_close=True,
        approve_names=True,
        bank_times=False,
        show_names=False,
    )
    stored = options.as_dict()
    assert stored == {
        "pacing": "teacher",
        "time_limit": 45,
        "scoring": "speed",
        "late_join": False,
        "leaderboard": False,
        "nicknames": "generated",
        "shuffle": False,
        "max_players": 35,
        "discussion": True,
        "scoreboard": True,
        "auto_close": True,
        "approve_names": True,
        "bank_times": False,
        "show_names": False,
    }
    assert SessionOptions.from_dict(stored) == options


def test_stored_options_ignore_unknown_keys_and_default_missing_ones():
    assert SessionOptions.from_dict({"scoring": "certainty", "retired_option": 1}) == (
        SessionOptions(scoring="certainty")
    )


def test_stored_options_that_do_not_fit_together_are_refused():
    with pytest.raises(OptionError):
        SessionOptions.from_dict({"pacing": "student", "scoring": "speed"})


# live_points


@pytest.mark.parametrize("fraction", [1.0, 0.5, 0.0])
def test_plain_scoring_gives_the_fraction_whatever_the_time_or_confidence(fraction):
    assert live_points(SessionOptions(), fraction, 3, 1) == fraction
    assert live_points(SessionOptions(), fraction, None, None) == fraction


def speed() -> SessionOptions:
    return SessionOptions(scoring="speed", time_limit=20)


def test_a_right_answer_given_at_once_earns_the_whole_speed_bonus():
    assert live_points(speed(), 1.0, None, 0) == 1.0 + SPEED_BONUS == 1.5


def test_the_speed_bonus_falls_with_the_time_taken():
    assert live_points(speed(), 1.0, None, 10_000) == 1.25
    assert live_points(speed(), 1.0, None, 15_000) == 1.125


@pytest.mark.parametrize("elapsed_ms", [20_000, 25_000])
def test_a_right_answer_at_or_after_the_limit_earns_no_bonus(elapsed_ms):
    assert live_points(speed(), 1.0, None, elapsed_ms) == 1.0


@pytest.mark.parametrize("elapsed_ms", [0, 1, 10_000])
def test_a_wrong_answer_earns_no_speed_bonus_however_fast(elapsed_ms):
    assert live_points(speed(), 0.0, None, elapsed_ms) == 0.0


def test_a_partly_right_answer_earns_its_share_and_no_speed_bonus():
    assert live_points(speed(), 0.5, None, 0) == 0.5


def test_a_slow_right_answer_beats_a_fast_wrong_one():
    assert live_points(speed(), 1.0, None, 19_999) > live_points(speed(), 0.0, None, 0)


def test_without_a_known_time_a_right_answer_earns_its_point_only():
    assert live_points(speed(), 1.0, None, None) == 1.0


@pytest.mark.parametrize(
    ("fraction", "confidence", "points"),
    [
        (1.0, 1, 1.0),
        (1.0, 2, 2.0),
        (1.0, 3, 3.0),
        (0.0, 1, 0.0),
        (0.0, 2, -2.0),
        (0.0, 3, -6.0),
    ],
)
def test_certainty_scoring_follows_the_cbm_table(fraction, confidence, points):
    options = SessionOptions(scoring="certainty")
    assert live_points(options, fraction, confidence, 5_000) == points


# distribution


def test_a_single_choice_distribution_counts_each_choice_in_the_banks_order():
    counted = distribution(make_single(), [("b", 0.0), ("a", 1.0), ("a", 1.0), ("d", 0.0)])
    assert [bar.key for bar in counted.bars] == ["a", "b", "c", "d"]
    assert [bar.count for bar in counted.bars] == [2, 1, 0, 1]
    assert [bar.correct for bar in counted.bars] == [True, False, False, False]
    assert counted.bars[0].label == {"zh": "a", "en": "A"}
    assert (counted.answered, counted.right, counted.share_right) == (4, 2, 0.5)


def test_a_multiple_choice_answer_counts_on_every_choice_it_picked():
    answers = [(["a", "c"], 1.0), (["a", "b"], 0.0), (["c"], 0.5)]
    counted = distribution(make_multiple(), answers)
    assert {bar.key: bar.count for bar in counted.bars} == {"a": 2, "b": 1, "c": 2, "d": 0}
    assert [bar.key for bar in counted.bars if bar.correct] == ["a", "c"]
    # Partly right is not right: only the full answer counts as right.
    assert (counted.answered, counted.right) == (3, 1)


def test_a_true_false_distribution_has_a_bar_for_each_value():
    counted = distribution(make_true_false(answer=False), [(True, 0.0), (False, 1.0), (False, 1.0)])
    assert [(bar.key, bar.count, bar.correct) for bar in counted.bars] == [
        ("true", 1, False),
        ("false", 2, True),
    ]
    assert counted.right == 2


def test_a_typed_answer_distribution_counts_right_partly_right_and_wrong():
    counted = distribution(make_numeric(), [(60, 1.0), (59, 0.5), (1, 0.0), (2, 0.0)])
    assert [(bar.key, bar.count, bar.correct) for bar in counted.bars] == [
        ("right", 1, True),
        ("partly", 1, False),
        ("wrong", 2, False),
    ]


def test_a_typed_answer_distribution_leaves_out_partly_right_when_there_is_none():
    counted = distribution(make_numeric(), [(60, 1.0), (1, 0.0)])
    assert [bar.key for bar in counted.bars] == ["right", "wrong"]
    assert counted.count("partly") == 0


def test_no_answers_make_empty_bars_and_no_share():
    counted = distribution(make_single(), [])
    assert counted.answered == counted.right == 0 and counted.share_right == 0.0
    assert all(bar.count == 0 for bar in counted.bars)


def test_the_count_of_a_bar_is_looked_up_by_key():
    counted = distribution(make_single(), [("c", 0.0)])
    assert counted.count("c") == 1 and counted.count("a") == 0 and counted.count("zz") == 0


# device_choice_order


def test_a_devices_choice_order_is_the_same_on_every_reload():
    content = make_single(choices=tuple("abcdefgh"))
    first = device_choice_order(content, "seed-1", 3, shuffle=True)
    assert first == device_choice_order(content, "seed-1", 3, shuffle=True)
    assert sorted(first) == list("abcdefgh")


def test_a_neighbours_device_shows_another_order_for_some_question():
    content = make_single(choices=tuple("abcd"))
    mine = [device_choice_order(content, "seed-1", position, True) for position in range(10)]
    theirs = [device_choice_order(content, "seed-2", position, True) for position in range(10)]
    assert mine != theirs


def test_one_device_gets_different_orders_on_different_questions():
    content = make_single(choices=tuple("abcd"))
    orders = {tuple(device_choice_order(content, "seed-1", p, True)) for p in range(10)}
    assert len(orders) > 1


def test_without_shuffling_the_device_keeps_the_banks_order():
    assert device_choice_order(make_single(), "seed-1", 0, shuffle=False) is None


def test_a_question_without_choices_has_no_order():
    assert device_choice_order(make_numeric(), "seed-1", 0, shuffle=True) is None


# new_code and limits


def test_a_join_code_is_six_digits():
    rng = random.Random(5)
    codes = [new_code(rng) for _ in range(200)]
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(set(codes)) > 190  # drawn, not constant


def test_a_join_code_follows_its_random_source():
    assert new_code(random.Random(1)) == new_code(random.Random(1))


# Live classroom 2.0: codes, time limits, typed answers, ranks, vote shifts


@pytest.mark.parametrize(
    "typed", ["675373", " 675 373 ", "675-373", "６７５３７３", "675 – 373", "675.373"]
)
def test_a_code_is_read_as_the_screen_shows_it(typed):
    assert clean_code(typed) == "675373"


def test_a_question_takes_its_own_time_from_the_bank_when_the_session_allows_it():
    own = {"type": "single", "time_limit": 45}
    plain = {"type": "single"}
    options = SessionOptions(time_limit=20)
    assert item_time_limit(own, options) == 45
    assert item_time_limit(plain, options) == 20
    assert item_time_limit(own, SessionOptions(time_limit=20, bank_times=False)) == 20
    assert item_time_limit(own, SessionOptions(pacing="student")) is None
    assert item_time_limit(own, SessionOptions()) == 45  # the session has no limit of its own


def test_speed_points_follow_the_questions_own_limit():
    options = SessionOptions(scoring="speed", time_limit=10)
    # Half of a 40 s limit gone leaves half the bonus; of the session's 10 s, none.
    assert live_points(options, 1.0, None, 20_000, 40) == 1.25
    assert live_points(options, 1.0, None, 20_000) == 1.0


def test_typed_answers_group_by_their_folded_text_most_given_first():
    groups = response_groups(
        [
            ("Deepfake", 1.0),
            (" deepfake. ", 1.0),
            ("ＤＥＥＰＦＡＫＥ", 1.0),
            ("AI", 0.0),
            ("ai", 0.0),
            ("video", 0.0),
        ]
    )
    assert [(g.key, g.count, g.fraction) for g in groups] == [
        ("deepfake", 3, 1.0),
        ("ai", 2, 0.0),
        ("video", 1, 0.0),
    ]
    assert groups[0].text == "Deepfake"  # shown as the first student typed it
    assert response_key(60.0) == "60" and response_key("６０") == "60"


def test_ties_share_a_rank_and_the_next_rank_skips():
    assert competition_ranks([3, 5, 5, 1, 3]) == [3, 1, 1, 5, 3]
    assert competition_ranks([]) == []
    assert competition_ranks([2.0, 2.0000000001]) == [1, 1]


@pytest.mark.parametrize(
    ("first", "second", "shift"),
    [
        (1.0, 1.0, "stayed_right"),
        (0.0, 1.0, "to_right"),
        (1.0, 0.0, "to_wrong"),
        (0.5, 0.0, "stayed_wrong"),
    ],
)
def test_a_revote_is_classified_by_how_the_answer_moved(first, second, shift):
    assert vote_shift(first, second) == shift


@pytest.mark.parametrize(
    "name", ["discussion", "scoreboard", "auto_close", "approve_names", "bank_times", "show_names"]
)
def test_a_switch_must_be_true_or_false(name):
    with pytest.raises(OptionError) as refused:
        SessionOptions(**{name: "yes"})
    assert refused.value.field == name
