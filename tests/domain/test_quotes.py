"""A citation is at least a clause, and a selection widens to its sentence."""

import pytest

from quizapp.domain.banks import check_question, read_bank
from quizapp.domain.quotes import MIN_QUOTE_CHARS, quote_length, sentence_around
from tests.conftest import dump, make_bank, make_question

SOURCE = "huanqiu-2024-02"


def cite(exact: str, doc: str = SOURCE, **context) -> dict:
    return make_question(source={"doc": doc, "exact": exact, **context})


# The minimum length


def test_the_minimum_counts_characters_as_the_anchoring_does():
    assert MIN_QUOTE_CHARS == 8
    assert quote_length("作者丨 王悦\n") == 5  # white space is not counted
    assert quote_length("ＳＯＲＡ") == 4  # full-width letters count once


def test_a_quote_shorter_than_a_clause_is_refused_at_its_line(catalog):
    raw = dump(make_bank(questions=[cite("盘和林认为")])).encode()
    bank, problems = read_bank(raw, "questions/b.yaml", catalog)
    assert bank is None
    assert [str(p) for p in problems] == [
        "questions/b.yaml:35:5: questions[0].source.exact: the quote is 5 characters; "
        "quote at least a clause (8 characters) or a whole sentence or line of the article"
    ]


def test_a_quote_of_eight_characters_is_enough(catalog):
    assert check_question(cite("一个人咬了一口饼"), catalog)[1] == []
    assert check_question(cite("一个人咬了一口"), catalog)[1] != []


@pytest.mark.parametrize(
    ("doc", "line"),
    [
        ("qingnianbao-2024", "网络截图"),  # a picture credit
        ("aitechreview-2024-03", "作者丨王悦"),  # a byline
        ("aitechreview-2024-03", "创业者不无机会"),  # a heading
    ],
)
def test_a_short_quote_that_is_a_whole_line_is_accepted(catalog, doc, line):
    spec, problems = check_question(cite(line, doc), catalog)
    assert problems == [] and spec.citations[0].selector.exact == line


def test_a_short_repeated_quote_with_context_is_still_too_short(catalog):
    _, problems = check_question(cite("Sora", suffix="一夜"), catalog)
    assert [p.detail for p in problems] == [
        "the quote is 4 characters; quote at least a clause (8 characters) "
        "or a whole sentence or line of the article"
    ]


# Widening to the sentence

TEXT = "标题一行\n第一句话。他说:“第二句。”第三句\n没有结尾的一行\nVersion 2.0 is out. Next one"


def around(fragment: str, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(fragment, start + 1)
    begin, end = sentence_around(TEXT, start, start + len(fragment))
    return TEXT[begin:end]


@pytest.mark.parametrize(
    ("fragment", "sentence"),
    [
        ("一句", "第一句话。"),  # ends at 。
        ("第二", "他说:“第二句。”"),  # the closing quotation mark belongs to it
        ("三", "第三句"),  # a line break ends it too
        ("结尾", "没有结尾的一行"),
        ("标题", "标题一行"),
        ("2.0", "Version 2.0 is out."),  # not cut at the decimal point
        ("Next", "Next one"),  # the end of the text
        ("话。他", "第一句话。他说:“第二句。”"),  # a selection across two sentences
    ],
)
def test_a_selection_widens_to_the_sentences_it_touches(fragment, sentence):
    assert around(fragment) == sentence


def test_a_whole_sentence_stays_as_it_is():
    start = TEXT.index("第一句话。")
    assert sentence_around(TEXT, start, start + 5) == (start, start + 5)


def test_widening_a_word_in_the_article_gives_its_sentence(catalog):
    text = catalog.get(SOURCE).text
    start = text.index("一个人咬了一口饼干")
    begin, end = sentence_around(text, start, start + 4)
    assert text[begin:end] == "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。"
