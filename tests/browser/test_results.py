"""The results page in a real Chromium: fifteen questions on two phone screens,
and a cell of the grid opening its question's review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.answers import right_values, wrong_values
from tests.web.study_client import Learner

PHONE = {"width": 360, "height": 740}


def fifteen_answered(app, learner: Learner) -> str:
    public_id = learner.start(length="15")
    for number in range(1, 16):
        content = learner.content(public_id, number)
        values = (wrong_values if number % 4 == 0 else right_values)(content)
        learner.answer(public_id, number, values, "3" if number % 8 == 0 else "1")
    return public_id


@pytest.mark.parametrize("language", ["en", "zh"])
def test_fifteen_questions_fit_two_phone_screens_and_a_cell_opens_its_review(
    imported, live_server, new_page, axe_check, snap, language
):
    page = new_page(locale={"en": "en-US", "zh": "zh-CN"}[language], **PHONE)
    # Answered through the test client; the browser takes its learner cookie.
    learner = Learner(imported)
    public_id = fifteen_answered(imported, learner)
    value = learner.client.get_cookie("learner").value
    page.context.add_cookies([{"name": "learner", "value": value, "url": live_server}])
    page.goto(f"{live_server}/study/{public_id}/results")
    expect(page.locator(".result-grid .cell")).to_have_count(15)
    height = page.evaluate("document.documentElement.scrollHeight")
    snap(page, "results-phone")
    axe_check(page, "results-phone")
    assert height <= 2 * PHONE["height"], f"{height}px: more than two screens"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.locator(".result-grid .cell").nth(7).click()  # question 8: wrong while very sure
    review = page.locator("#q-8")
    expect(review).to_be_visible()
    expect(review).to_be_in_viewport()
    expect(page.locator(".review-item", has=review).locator("> details")).to_have_attribute(
        "open", ""
    )
    expect(review.locator(".verdict")).to_be_visible()

    page.locator(".filters a").nth(2).click()  # wrong while sure
    expect(page.locator(".review-item")).to_have_count(1)
    expect(page.locator(".filters a[aria-current=page]")).to_contain_text("1")
    axe_check(page, "results-filtered")
