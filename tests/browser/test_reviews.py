"""Spaced review in a real Chromium: yesterday's mistakes come back today."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_study_flow import QUESTION_URL, TEXT, answer_here, start_quiz
from tests.web.test_reviews import a_day_passes

REVIEW = {
    "en": ("1 review due", "Start my review", "Review"),
    "zh": ("1 道题待复习", "开始复习", "复习"),
}
LOCALES = {"en": "en-US", "zh": "zh-CN"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_learner_reviews_yesterdays_mistake_from_the_home_page(
    imported, live_server, new_page, axe_check, snap, language
):
    words = TEXT[language]
    due, start, tag = REVIEW[language]
    page = new_page(locale=LOCALES[language], width=360, height=740)
    start_quiz(page, live_server, words, "2")
    missed = answer_here(page, imported, words, right=False)
    page.get_by_role("link", name=words["next"]).click()
    answer_here(page, imported, words, right=True)

    a_day_passes(imported)
    page.goto(live_server + "/")
    heading = page.get_by_role("heading", name=due)
    expect(heading).to_be_visible()
    axe_check(page, "home-reviews-due")
    snap(page, "home-reviews-due")
    page.get_by_role("button", name=start).click()
    expect(page).to_have_url(QUESTION_URL)
    expect(page.locator(".progress-line")).to_contain_text("1 / 1")
    expect(page.locator(".review-tag")).to_have_text(tag)
    expect(page.locator("#prompt")).to_have_text(missed["prompt"][language])
    axe_check(page, "review-question")
    answer_here(page, imported, words, right=True)
    page.get_by_role("link", name=words["results"]).click()
    expect(page.locator(".score")).to_be_visible()
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name=due)).to_have_count(0)
    expect(page.locator(".reviews-next")).to_be_visible()
