"""Dark mode in a real Chromium: the reader's system setting darkens every
page (the design tokens of static/style.css), axe finds no contrast
problem in it, and the projector stays a light show."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_classroom_flow import log_in
from tests.browser.test_exam_flow import CHECK_URL, answer_fairly_sure, start_test
from tests.browser.test_presenter import first_of_type, teacher_and_session
from tests.browser.test_study_flow import TEXT, answer_here, start_quiz

WORDS = TEXT["en"]


def background(page, selector: str = "body") -> tuple[int, int, int]:
    """The background colour behind ``selector`` (the first one set, up the tree)."""
    colour = page.locator(selector).first.evaluate(
        """(e) => {
          for (let node = e; node; node = node.parentElement) {
            const c = getComputedStyle(node).backgroundColor;
            if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c;
          }
          return getComputedStyle(document.documentElement).backgroundColor;
        }"""
    )
    return tuple(int(part) for part in re.findall(r"\d+", colour)[:3])


def is_dark(rgb) -> bool:
    return sum(rgb) / 3 < 60


def is_light(rgb) -> bool:
    return sum(rgb) / 3 > 200


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_learner_in_dark_mode_gets_dark_pages_that_axe_passes(
    imported, live_server, new_page, axe_check, snap, width
):
    page = new_page(width=width, height=800, color_scheme="dark")
    page.goto(live_server + "/")
    assert is_dark(background(page)), background(page)
    axe_check(page, f"dark-home-{width}")
    start_quiz(page, live_server, WORDS, "2")
    axe_check(page, f"dark-question-{width}")
    snap(page, f"dark-question-{width}")
    answer_here(page, imported, WORDS, right=False)
    assert is_dark(background(page, ".verdict")) and is_dark(background(page, ".evidence"))
    axe_check(page, f"dark-feedback-{width}")
    snap(page, f"dark-feedback-{width}")
    page.get_by_role("link", name=WORDS["next"]).click()
    answer_here(page, imported, WORDS, right=True)
    page.get_by_role("link", name=WORDS["results"]).click()
    expect(page.locator(".result-grid")).to_be_visible()
    page.locator("details.more summary").first.click()  # the calibration chart
    axe_check(page, f"dark-results-{width}")
    snap(page, f"dark-results-{width}")
    page.locator(".review-item summary").first.click()
    page.get_by_role("link", name=WORDS["read"]).first.click()
    expect(page.locator("mark.target").first).to_be_visible()
    axe_check(page, f"dark-source-{width}")
    snap(page, f"dark-source-{width}")
    page.goto(live_server + "/study/progress")
    axe_check(page, f"dark-progress-{width}")


def test_a_test_and_the_editor_in_dark_mode(imported, live_server, new_page, axe_check, snap):
    page = new_page(color_scheme="dark")
    start_test(page, live_server, "2", minutes="5")
    answer_fairly_sure(page, imported)
    page.get_by_label("Flag this question to come back to it").check()
    page.get_by_role("button", name="Save and next").click()
    axe_check(page, "dark-test-question")
    snap(page, "dark-test-question")
    page.get_by_role("button", name="Save and check my answers").click()
    expect(page).to_have_url(CHECK_URL)
    axe_check(page, "dark-test-check")

    teacher_and_session(imported, [first_of_type(imported, "single")])  # makes ms-li
    staff = new_page(color_scheme="dark")
    log_in(staff, live_server)
    assert is_dark(background(staff))
    axe_check(staff, "dark-dashboard")
    snap(staff, "dark-dashboard")


def test_the_projector_stays_light_and_a_phone_follows_its_setting(
    imported, live_server, new_page, axe_check, browser
):
    _teacher, public_id, code = teacher_and_session(imported, [first_of_type(imported, "single")])
    projector = new_page(color_scheme="dark")
    log_in(projector, live_server)
    projector.goto(f"{live_server}/classroom/{public_id}/present")
    assert is_light(background(projector, "main")), background(projector, "main")
    axe_check(projector, "dark-setting-presenter")
    phone = browser.new_context(
        locale="en-US", viewport={"width": 360, "height": 740}, color_scheme="dark"
    ).new_page()
    try:
        phone.goto(f"{live_server}/play/")
        assert is_dark(background(phone))
        axe_check(phone, "dark-phone-join")
        phone.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(code)
    finally:
        phone.context.close()
