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


@pytest.mark.parametrize("raw", ["傻逼", "我是傻逼", "傻逼123", "管理员小王", "草泥马!"])
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
        "王老师",
    ],
)
def test_a_word_merely_containing_a_denied_word_is_accepted(raw, deny):
    assert check_nickname(raw, deny) == raw


def test_a_deny_list_ignores_case_and_width_of_its_own_words():
    deny = DenyList.of(["BadWord", "坏词", "  "])
    assert deny.latin == {"badword"} and deny.other == {"坏词"}
    assert deny.matches("ｂａｄｗｏｒｄ") and deny.matches("好坏词")


def test_a_deny_list_of_words_alone_matches_whole_words_as_before():
    deny = DenyList.of(["shit", "傻逼"])
    assert not deny.anywhere and not deny.allow and not deny.exact
    assert deny.matches("s h 1 t") and deny.matches("Holy Sh!t") and deny.matches("我是傻B逼")
    assert not deny.matches("shithead") and not deny.matches("Bullshit")


def test_a_deny_list_reads_traditional_characters_as_simplified():
    deny = DenyList.of(["他妈的", "幹你娘"])
    assert deny.other == {"他妈的", "干你娘"}
    assert deny.matches("他媽的") and deny.matches("干你娘")


def test_a_phrase_matches_whole_words_in_order():
    deny = DenyList.of(["kill yourself"])
    assert deny.matches("Kill Yourself") and deny.matches("kill-your.self")
    assert not deny.matches("Kill Bill") and not deny.matches("yourself kill")


def test_a_stem_matches_inside_a_word_unless_an_allowed_word_ends_there():
    deny = DenyList.of([], anywhere=["shit"], allow=["shita", "shiting"])
    assert deny.matches("Bullshit") and deny.matches("shitass") and deny.matches("sh-itty")
    assert not deny.matches("Yamashita") and not deny.matches("WangShiting")
    assert deny.matches("Yamashita shit")  # an allowed word hides only itself


def test_an_allowed_word_does_not_hide_a_whole_word():
    deny = DenyList.of(["ass"], allow=["scunthorpe"])
    assert deny.matches("ass scunthorpe") and not deny.matches("Scunthorpe")


def test_an_exact_name_is_refused_only_as_the_whole_nickname():
    deny = DenyList.of([], exact=["the teacher", "老师"])
    for raw in ["The Teacher", "theteacher", "The.Teacher 2", "老师", "老 师!", "老師"]:
        assert deny.matches(raw), raw
    for raw in ["王老师", "Not The Teacher", "Teacher", "老师的学生"]:
        assert not deny.matches(raw), raw


def test_a_repeated_letter_is_never_read_as_fewer_letters():
    deny = DenyList.of(["boob", "ass"])
    assert deny.matches("Booooob") and deny.matches("asssss")
    assert not deny.matches("Bob") and not deny.matches("As")


@pytest.mark.parametrize(
    ("disguised", "word"),
    [
        ("5h1t", "shit"),
        ("sh|t", "shit"),
        ("1ame", "lame"),
        ("fvck", "fuck"),
        ("f*ck", "fuck"),
        ("@$$", "ass"),
        ("8ad", "bad"),
        ("9ot", "got"),
        ("7oe", "toe"),
        ("3ek", "eek"),
        ("f.u.c.k", "fuck"),
        ("f_u_c_k", "fuck"),
        ("fu-ck", "fuck"),
        ("fu ck", "fuck"),
        ("ԁеаԁ", "dead"),  # Cyrillic
        ("ηοτ", "not"),  # Greek
        ("Ｄｅａｄ", "dead"),
        ("déàd", "dead"),
    ],
)
def test_a_disguised_word_is_read_through(disguised, word):
    assert DenyList.of([word]).matches(disguised)


# fold


@pytest.mark.parametrize("raw", ["Ann", "ann", "ANN", "Ａｎｎ", " A n n", "a  nn "])
def test_look_alike_nicknames_fold_to_the_same_key(raw):
    assert fold(raw) == "ann"


def test_different_nicknames_fold_apart():
    assert fold("Ann") != fold("Anna")


# load_deny_list


def test_the_shipped_deny_list_is_read_with_all_four_lists(deny):
    assert {"admin", "ass", "dickhead", "kill yourself", "nmsl"} <= deny.latin
    assert {"傻逼", "草泥马", "傻b"} <= deny.other
    assert {"fuck", "shit", "cunt"} <= deny.anywhere
    assert {"scunthorpe", "shiitake"} <= deny.allow
    assert {"teacher", "theteacher", "老师"} <= deny.exact
    assert "老师" not in deny.other and "dick" not in deny.latin


def test_a_deny_list_file_with_every_list_is_read(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text(
        "words: [Broccoli]\nanywhere: [kale]\nallow: [kaleidoscope]\nexact: [Chef, 厨师]\n",
        encoding="utf-8",
    )
    deny = load_deny_list(path)
    assert deny.matches("Kalesoup") and not deny.matches("Kaleidoscope")
    assert deny.matches("chef") and deny.matches("厨师") and not deny.matches("Chef Ann")


def test_a_deny_list_file_may_leave_a_list_empty(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("words:\nexact: []\n", encoding="utf-8")
    assert load_deny_list(path) == DenyList(frozenset(), frozenset())


def test_a_changed_deny_list_file_is_read_again(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("words: [kale]\n", encoding="utf-8")
    assert load_deny_list(path).matches("kale")
    path.write_text("words: [broccoli]\n", encoding="utf-8")
    deny = load_deny_list(path)
    assert deny.matches("broccoli") and not deny.matches("kale")


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
    ("text", "message"),
    [
        ("words: shit\n", "'words' must be a list of strings"),
        ("words: {a: b}\n", "'words' must be a list of strings"),
        ("words:\n  - 1\n  - shit\n", "'words' must be a list of strings; entry 1 is 1"),
        ("exact:\n  - admin\n  - [x]\n", "'exact' must be a list of strings; entry 2 is"),
        ("anywhere:\n  - null\n", "'anywhere' must be a list of strings; entry 1 is None"),
        ("- shit\n- ass\n", "expected a mapping of word lists"),
        ("just some text\n", "expected a mapping of word lists"),
        ("words: [ass]\nwhitelist: [class]\n", "unknown key 'whitelist'"),
        ("1: [ass]\n", "unknown key 1"),
    ],
    ids=[
        "a-string",
        "a-mapping",
        "not-all-strings",
        "a-list-in-a-list",
        "a-null-entry",
        "a-list-without-words",
        "plain-text",
        "an-unknown-key",
        "a-number-key",
    ],
)
def test_a_malformed_deny_list_is_refused_naming_the_file(tmp_path, text, message):
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"words\.yaml") as refused:
        load_deny_list(path)
    assert message in str(refused.value)


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


def test_a_two_letter_word_is_read_only_as_written():
    deny = DenyList.of(["sb"])
    assert deny.matches("sb") and deny.matches("S B")
    assert not deny.matches("S8") and not deny.matches("5B")
