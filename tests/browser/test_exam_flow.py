"""A test in a real Chromium, worked on like an exam paper: the question grid,
flags, the check before submitting, and a timer that runs out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from quizapp.extensions import db
from quizapp.models import Answer, Attempt
from quizapp.models.content import utcnow
from tests.answers import right_values
from tests.browser.test_study_flow import QUESTION_URL, fill_in, item_content

CHECK_URL = re.compile(r".*/study/[0-9a-f]{32}/check$")
RESULTS_URL = re.compile(r".*/study/[0-9a-f]{32}/results$")


def start_test(page, base: str, length: str, minutes: str = "") -> None:
    page.goto(base + "/study/start")
    page.get_by_label("Number of questions").fill(length)
    page.get_by_label("Test: answers and sources at the end").check()
    page.get_by_label("Time limit in minutes").fill(minutes)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page).to_have_url(QUESTION_URL)


def answer_fairly_sure(page, app) -> None:
    content = item_content(app, page.url)
    fill_in(page, app, content, right_values(content))
    page.get_by_label("Fairly sure").check()


@pytest.mark.both_databases
def test_a_learner_moves_flags_checks_and_submits_a_test(
    imported, live_server, new_page, axe_check, snap
):
    page = new_page(width=1280, height=900)
    start_test(page, live_server, "3", minutes="10")
    timer = page.locator(".test-timer-value")
    expect(timer).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    shown = timer.text_content()
    expect(timer).not_to_have_text(shown, timeout=3000)  # it counts down
    axe_check(page, "test-question")
    snap(page, "test-question")

    # Question 1: answered and flagged, then on to question 2.
    answer_fairly_sure(page, imported)
    page.get_by_label("Flag this question to come back to it").check()
    page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(re.compile(r"/2$"))
    grid = page.get_by_role("navigation", name="Questions of this test")
    expect(grid.get_by_role("button", name="Question 1: answered, flagged")).to_be_visible()
    # Straight to question 3, leaving 2 blank; nothing there is saved yet.
    grid.get_by_role("button", name="Question 3: not answered").click()
    expect(page).to_have_url(re.compile(r"/3$"))
    expect(page.locator("#prompt")).to_be_focused()
    page.get_by_role("button", name="Save and check my answers").click()

    expect(page).to_have_url(CHECK_URL)
    expect(page.get_by_text("2 questions are not answered.")).to_be_visible()
    expect(page.get_by_text("1 question is flagged.")).to_be_visible()
    axe_check(page, "test-check")
    snap(page, "test-check")
    page.get_by_role("link", name=re.compile(r"^Question 2")).click()
    answer_fairly_sure(page, imported)
    page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(re.compile(r"/3$"))
    answer_fairly_sure(page, imported)
    page.keyboard.press("Enter")  # Enter presses the first button: save, then the check
    expect(page).to_have_url(CHECK_URL)
    expect(page.get_by_text("Every question is answered.")).to_be_visible()
    with imported.app_context():
        assert db.session.scalar(select(Answer.id)) is None  # nothing marked yet

    page.get_by_role("button", name="Submit my test").click()
    expect(page).to_have_url(RESULTS_URL)
    expect(page.get_by_text("Your test is submitted.")).to_be_visible()
    expect(page.locator(".score")).to_contain_text("3 of 3")
    axe_check(page, "test-results")


def test_when_the_time_runs_out_the_page_saves_and_the_test_is_submitted(
    imported, live_server, new_page
):
    page = new_page(width=360, height=740)
    start_test(page, live_server, "2", minutes="1")
    with imported.app_context():  # only a few seconds left
        db.session.execute(update(Attempt).values(deadline=utcnow() + timedelta(seconds=4)))
        db.session.commit()
    page.reload()
    answer_fairly_sure(page, imported)  # chosen, never saved by the learner
    expect(page).to_have_url(RESULTS_URL, timeout=15_000)
    expect(page.get_by_text("Time is up: your test was submitted")).to_be_visible()
    with imported.app_context():
        answers = db.session.scalars(select(Answer).order_by(Answer.position)).all()
        assert [answer.fraction for answer in answers] == [1.0, 0.0]
