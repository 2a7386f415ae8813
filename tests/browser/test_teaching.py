"""Question banks 2.0 in a real Chromium: the project's English beside the
articles, and a claim judged against its passage, on a phone and a desk, in
both languages, checked with axe-core."""

import random

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.services.attempts import start_attempt
from tests.browser.test_study_flow import LOCALES, TEXT, answer_here, item_content

CLAIM = {"en": "Supported by the passage", "zh": "原文支持"}
SHOW_ENGLISH = "在每段旁边显示本项目的英文译文"


@pytest.mark.parametrize("width", [360, 1280])
def test_the_english_sits_beside_each_paragraph_on_a_desk_and_under_it_on_a_phone(
    imported, live_server, new_page, axe_check, width
):
    page = new_page(locale="en-US", width=width)
    page.goto(f"{live_server}/sources/nandu-2024-02-20")
    pair = page.locator(".paragraph-pair").nth(3)
    chinese, english = pair.locator("p").first, pair.locator("p.english")
    expect(english).to_have_attribute("lang", "en")
    zh, en = chinese.bounding_box(), english.bounding_box()
    if width >= 1280:  # side by side, each readable
        assert en["x"] >= zh["x"] + zh["width"] and abs(en["y"] - zh["y"]) < 2
        assert zh["width"] > 250 and en["width"] > 250
    else:  # stacked, the English under its paragraph
        assert en["y"] >= zh["y"] + zh["height"] and abs(en["x"] - zh["x"]) < 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe_check(page, f"english-beside-{width}")


def test_a_chinese_reader_can_ask_for_the_english(imported, live_server, new_page):
    page = new_page(locale="zh-CN", width=360)
    page.goto(f"{live_server}/sources/huanqiu-2024-02")
    expect(page.locator(".paragraph-pair")).to_have_count(0)
    page.get_by_role("link", name=SHOW_ENGLISH).click()
    expect(page.locator(".paragraph-pair")).to_have_count(26)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


@pytest.mark.parametrize(("language", "width"), [("zh", 360), ("en", 1280)])
def test_a_claim_is_judged_with_its_passage_in_view_and_its_english_after(
    imported, live_server, new_page, axe_check, language, width
):
    words = TEXT[language]
    page = new_page(locale=LOCALES[language], width=width)
    # A practice attempt over form A for this browser (the check's forms are
    # not offered on the start page): start any quiz for the learner cookie.
    page.goto(f"{live_server}/study/start")
    page.get_by_role("button", name=words["start"], exact=True).click()
    with imported.app_context():
        key = db.session.scalar(select(Attempt.learner_key))
        claims = start_attempt(key, ["check-form-a"], rng=random.Random(3)).public_id
    page.goto(f"{live_server}/study/{claims}")
    expect(page.get_by_label(CLAIM[language], exact=True)).to_be_visible()
    content = item_content(imported, page.url)
    passage = page.locator(".claim-passages blockquote").first
    expect(passage).to_have_text(content["sources"][0]["exact"])
    # The passage comes before the choices, and fits a phone without scrolling sideways.
    choices = page.locator("fieldset.choices")
    assert passage.bounding_box()["y"] < choices.bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe_check(page, f"claim-{language}-{width}")
    answer_here(page, imported, words)
    gloss = page.locator(".evidence .gloss").first
    expect(gloss).to_contain_text(content["sources"][0]["gloss"]["en"])
    english = gloss.locator('[lang="en"]')
    expect(english).to_have_count(1)
    if language == "zh":  # a Chinese reader reads the passage: its English is a click away
        expect(english).to_be_hidden()
        gloss.locator("summary").click()
    expect(english).to_be_visible()
    axe_check(page, f"claim-feedback-{language}-{width}")
