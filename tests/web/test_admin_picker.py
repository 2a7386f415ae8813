"""The passage picker's endpoints: an article to pick in, quotes, searches, context."""

from __future__ import annotations

import html
import re

import pytest

from quizapp.domain.anchoring import Selector
from tests.conftest import make_bank
from tests.web.classroom_client import Teacher

ARTICLE = "huanqiu-2024-02"
# Occurs twice in the article: picking one needs a prefix or a suffix.
REPEATED = "朋友(Friend)圈"


@pytest.fixture
def admin(app, runner, write_bank) -> Teacher:
    """An admin, with the sources stored by importing a one-question bank."""
    result = runner.invoke(args=["quiz", "import", str(write_bank(make_bank()))])
    assert result.exit_code == 0, result.output
    return Teacher.quick(app, "ada", "admin")


def quote(admin: Teacher, start: int, end: int):
    return admin.get(f"/admin/sources/{ARTICLE}/quote?start={start}&end={end}")


def test_the_picker_gives_every_piece_of_the_article_its_offsets_in_the_copy(admin, catalog):
    page = admin.text(f"/admin/sources/{ARTICLE}/picker")
    text = catalog.get(ARTICLE).text
    pieces = re.findall(r'<span data-start="(\d+)" data-end="(\d+)">([^<]*)</span>', page)
    assert len(pieces) > 20
    for start, end, shown in pieces:
        assert text[int(start) : int(end)] == html.unescape(shown)


def test_a_selected_range_becomes_a_quote_that_anchors_exactly_there(admin, catalog):
    doc = catalog.get(ARTICLE)
    start = doc.text.index(REPEATED, doc.text.index(REPEATED) + 1)
    end = start + len(REPEATED)
    response = quote(admin, start, end)
    assert response.status_code == 200
    picked = response.get_json()
    assert picked["exact"] == REPEATED and (picked["prefix"] or picked["suffix"])
    anchored = doc.locate(
        Selector(picked["exact"], picked["prefix"] or None, picked["suffix"] or None)
    )
    assert (anchored.start, anchored.end) == (start, end)


@pytest.mark.parametrize(
    ("start", "end", "status", "words"),
    [
        (10, 5, 400, "Select some words"),
        (0, 10**7, 400, "Select some words"),
        (0, 700, 422, "too long"),
    ],
)
def test_a_selection_that_cannot_be_a_quote_says_why_in_words(admin, start, end, status, words):
    response = quote(admin, start, end)
    assert response.status_code == status
    assert words in response.get_json()["message"]


def test_a_selection_of_only_white_space_asks_for_words(admin, catalog):
    text = catalog.get(ARTICLE).text
    gap = text.index("\n")
    response = quote(admin, gap, gap + 1)
    assert response.status_code == 400
    assert "Select some words" in response.get_json()["message"]


def test_the_search_finds_each_occurrence_with_the_text_around_it(admin, catalog):
    results = admin.get(f"/admin/sources/{ARTICLE}/find?q=Sora焦虑").get_json()["results"]
    text = catalog.get(ARTICLE).text
    assert len(results) == 1
    found = results[0]
    assert text[found["start"] : found["end"]] == "Sora焦虑" == found["quote"]
    assert found["before"] and found["after"]


def test_the_context_of_a_quote_is_highlighted_and_a_missing_quote_says_so(admin):
    shown = admin.get(f"/admin/sources/{ARTICLE}/context?exact=Sora焦虑")
    assert shown.status_code == 200
    assert '<mark class="target">Sora焦虑</mark>' in shown.get_data(as_text=True)
    missing = admin.get(f"/admin/sources/{ARTICLE}/context?exact=没有这句话的文章")
    assert missing.status_code == 422
    assert "quote not found in the source" in missing.get_data(as_text=True)


def test_a_selection_shorter_than_a_clause_is_refused_with_a_way_out(admin, catalog):
    text = catalog.get(ARTICLE).text
    start = text.index("一个人咬了一口饼干")
    response = quote(admin, start, start + 4)
    assert response.status_code == 422
    refusal = response.get_json()
    assert refusal["error"] == "too_short" and refusal["limit"] == 8
    assert "Use the whole sentence" in refusal["message"]


def test_whole_sentence_widens_a_selection_to_its_sentence(admin, catalog):
    doc = catalog.get(ARTICLE)
    start = doc.text.index("一个人咬了一口饼干")
    response = admin.get(
        f"/admin/sources/{ARTICLE}/quote?start={start}&end={start + 4}&widen=sentence"
    )
    assert response.status_code == 200
    picked = response.get_json()
    assert picked["exact"] == "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。"
    assert doc.locate(Selector(picked["exact"], picked["prefix"] or None, picked["suffix"] or None))
