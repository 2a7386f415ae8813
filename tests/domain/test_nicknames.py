"""Nicknames: limits, the deny-list, look-alikes colliding, generated names."""

import random
from pathlib import Path

import pytest
import yaml

import quizapp
from quizapp.domain.nicknames import (
    MAX_LENGTH,
    DenyList,
    NicknameError,
    check_nickname,
    fold,
    generated_nickname,
    load_deny_list,
)

SHIPPED = Path(quizapp.__file__).parent / "classroom" / "nickname-denylist.yaml"


@pytest.fixture(scope="module")
def deny() -> DenyList:
    """The deny-list shipped with the app."""
    return load_deny_list(SHIPPED)


def refusal(raw: str, deny: DenyList) -> str:
    """The code ``check_nickname`` refuses ``raw`` with."""
    with pytest.raises(NicknameError) as refused:
        check_nickname(raw, deny)
    return refused.value.code


# Limits


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", None])
def test_an_empty_nickname_is_refused(raw, deny):
    assert refusal(raw, deny) == "empty"


def test_a_nickname_of_twenty_characters_is_accepted(deny):
    assert check_nickname("x" * MAX_LENGTH, deny) == "x" * 20


def test_a_nickname_longer_than_twenty_characters_is_refused(deny):
    assert refusal("x" * 21, deny) == "too_long"


def test_twenty_chinese_characters_are_twenty_not_sixty(deny):
    assert check_nickname("小" * 20, deny) == "小" * 20


def test_the_nickname_is_cleaned_of_extra_spaces_and_width(deny):
    assert check_nickname("  Ａｎｎ   Lee ", deny) == "Ann Lee"


@pytest.mark.parametrize("raw", ["Ann\x07", "An\x00n", "Ann\u202e", "A\u200bnn", "Ann\ue000"])
def test_a_nickname_with_control_or_invisible_characters_is_refused(raw, deny):
    assert refusal(raw, deny) == "control"


# The deny-list


@pytest.mark.parametrize(
    "raw",
    [
        "shit",
        "SHIT",
        "Holy Shit",
        "sh1t",
        "5h1t",
        "$hit",
        "s h i t",
        "s.h.i.t",
        "ＳＨＩＴ",
        "admin",
        "Teacher",
    ],
)
def test_a_latin_denied_word_is_refused_even_disguised(raw, deny):
    assert refusal(raw, deny) == "denied"


@pytest.mark.parametrize("raw", ["傻逼", "我是傻逼", "傻逼123", "王老师", "草泥马!"])
def test_a_chinese_denied_word_is_refused_anywhere_in_the_nickname(raw, deny):
    assert refusal(raw, deny) == "denied"


@pytest.mark.parametrize(
    "raw",
    [
        "class",
        "Cassie",
        "Scunthorpe",
        "Dickens",
        "Sussex",
        "skill",
        "assistant",
        "Cocktail",
        "Ann 2000",
        "小明",
    ],
)
def test_a_word_merely_containing_a_denied_word_is_accepted(raw, deny):
    assert check_nickname(raw, deny) == raw


def test_a_deny_list_ignores_case_and_width_of_its_own_words():
    deny = DenyList.of(["BadWord", "坏词", "  "])
    assert deny.latin == {"badword"} and deny.other == {"坏词"}
    assert deny.matches("ｂａｄｗｏｒｄ") and deny.matches("好坏词")


# fold


@pytest.mark.parametrize("raw", ["Ann", "ann", "ANN", "Ａｎｎ", " A n n", "a  nn "])
def test_look_alike_nicknames_fold_to_the_same_key(raw):
    assert fold(raw) == "ann"


def test_different_nicknames_fold_apart():
    assert fold("Ann") != fold("Anna")


# load_deny_list


def test_the_shipped_deny_list_is_read_with_latin_and_chinese_words(deny):
    assert {"shit", "admin", "ass"} <= deny.latin
    assert {"傻逼", "老师"} <= deny.other


def test_a_deny_list_file_of_your_own_is_read(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("words:\n  - Broccoli\n  - 香菜\n", encoding="utf-8")
    deny = load_deny_list(path)
    assert deny.matches("I hate broccoli") and deny.matches("我不吃香菜")
    assert not deny.matches("shit")  # only the file's words


def test_an_empty_deny_list_file_denies_nothing(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_deny_list(path) == DenyList(frozenset(), frozenset())


@pytest.mark.parametrize(
    "text",
    [
        "words: shit\n",
        "words: {a: b}\n",
        "words:\n  - 1\n  - shit\n",
        "- shit\n- ass\n",
    ],
    ids=["a-string", "a-mapping", "not-all-strings", "a-list-without-words"],
)
def test_a_malformed_deny_list_is_refused_naming_the_file(tmp_path, text):
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"words\.yaml"):
        load_deny_list(path)


def test_a_deny_list_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("words: [shit\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        load_deny_list(path)


# Generated nicknames


def test_a_generated_english_nickname_is_an_adjective_and_an_animal():
    name = generated_nickname(random.Random(3), "en")
    adjective, animal = name.split(" ")
    assert adjective.isalpha() and animal.isalpha() and adjective[0].isupper()


def test_a_generated_chinese_nickname_is_written_in_chinese():
    name = generated_nickname(random.Random(3), "zh")
    assert " " not in name and all("\u4e00" <= char <= "\u9fff" for char in name)


def test_a_later_attempt_adds_a_number():
    name = generated_nickname(random.Random(3), "en", attempt=1)
    assert name.rsplit(" ", 1)[1].isdigit()


def test_an_unknown_language_gets_an_english_nickname():
    assert generated_nickname(random.Random(3), "fr") == generated_nickname(random.Random(3), "en")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_generated_nickname_passes_the_nickname_rules(language, deny):
    for seed in range(300):
        for attempt in (0, 1):
            name = generated_nickname(random.Random(seed), language, attempt)
            assert check_nickname(name, deny) == name
