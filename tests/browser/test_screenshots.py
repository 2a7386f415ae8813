"""The pictures in the README and the docs, taken from the running app.

Each test walks a real flow in Chromium, checks the screen shows what the
picture is meant to show, and saves it at a fixed size. In the test suite the
pictures go under ``tests/artifacts/screenshots``; ``python3 tasks.py
screenshots`` runs this module alone with ``QUIZ_SCREENSHOTS`` set to
``docs/images``, which is how the checked-in pictures are made: they never
show a screen the app no longer has.

The content is fixed too: the lesson asks the first four-choice question of
the shipped banks, and self-study draws its questions with a seeded random
generator, so a picture changes only when the screen does.
"""

from __future__ import annotations

import os
import random
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quizapp import learners
from quizapp.extensions import db
from quizapp.services.attempts import start_attempt
from tests.answers import right_values, wrong_values
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_classroom_flow import four_choice_question, join, log_in, tap
from tests.browser.test_presenter import click_step, qr_loaded, teacher_and_session
from tests.browser.test_study_flow import fill_in
from tests.web.study_client import Learner

SHOTS = Path(os.environ.get("QUIZ_SCREENSHOTS") or ARTIFACTS / "screenshots")
LANGUAGES = {"en": "en-US", "zh": "zh-CN"}
DESKTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 360, "height": 740, "has_touch": True, "is_mobile": True}
#: What the checked-in pictures may weigh together (the docs' budget).
BUDGET = 2 * 1024 * 1024


def shoot(page, name: str, full_page: bool = False) -> Path:
    """Save the page as ``name``.png; fonts loaded and no caret blinking."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready")
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, caret="hide", animations="disabled")
    assert path.stat().st_size > 5_000, f"{name}: an empty picture"
    return path


def seeded_attempt(app, page, base: str, bank: str, length: int, first: str | None = None) -> str:
    """An attempt drawn with a fixed seed for the browser of ``page`` (made
    its learner by the signed cookie the app would give it), whose first
    question is of type ``first`` when given: the first seed from 2026 that
    draws one (practice goes in order, so the first is the one shown)."""
    with app.test_request_context():
        learner = learner_of(page) or secrets.token_urlsafe(24)
        cookie = learners._signer().sign(learner).decode()
        page.context.add_cookies([{"name": learners.COOKIE, "value": cookie, "url": base}])
        for seed in range(2026, 2126):
            attempt = start_attempt(learner, [bank], length=length, rng=random.Random(seed))
            if first is None or attempt.items[0].question_version.content["type"] == first:
                db.session.commit()
                return attempt.public_id
            db.session.rollback()
    raise AssertionError(f"no seed draws a {first} question first from {bank}")


def learner_of(page) -> str | None:
    """The learner id in the browser's cookie (signed by the app), if it has one."""
    for cookie in page.context.cookies():
        if cookie["name"] == learners.COOKIE:
            return learners._signer().unsign(cookie["value"]).decode()
    return None


def content_at(app, public_id: str, number: int) -> dict:
    """The question content of item ``number`` of attempt ``public_id``."""
    return Learner(app).content(public_id, number)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_question_and_its_cited_passage(imported, live_server, new_page, language):
    """Self-study on a desktop: the verdict and the passage the answer rests on."""
    page = new_page(locale=LANGUAGES[language], width=1280, height=1000)
    public_id = seeded_attempt(imported, page, live_server, "starter", 5, first="single")
    page.goto(f"{live_server}/study/{public_id}/1")
    content = content_at(imported, public_id, 1)
    fill_in(page, imported, content, wrong_values(content))
    page.locator("#confidence-2").check()
    page.locator("form.question-form button.primary").click()
    expect(page.locator(".verdict")).to_be_visible()
    expect(page.locator(".evidence blockquote").first).to_be_visible()
    page.locator("main h1.prompt").evaluate("prompt => prompt.scrollIntoView({block: 'start'})")
    shoot(page, f"study-feedback-{language}")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_question_on_a_phone(imported, live_server, new_page, language):
    """A phone: large answer tiles, then the verdict in the bar at the bottom."""
    page = new_page(locale=LANGUAGES[language], **PHONE)
    public_id = seeded_attempt(imported, page, live_server, "starter", 5, first="single")
    page.goto(f"{live_server}/study/{public_id}/1")
    content = content_at(imported, public_id, 1)
    fill_in(page, imported, content, right_values(content))
    shoot(page, f"phone-question-{language}")
    page.locator("#confidence-3").check()
    page.locator("form.question-form button.primary").click()
    expect(page.locator(".next-verdict")).to_be_visible()
    shoot(page, f"phone-feedback-{language}")


def test_results_and_progress(imported, live_server, new_page):
    """A finished quiz on a phone (the grid first) and "My progress" on a desktop."""
    page = new_page(**PHONE)
    for round_number, length in enumerate((8, 8)):
        public_id = seeded_attempt(imported, page, live_server, "starter", length)
        for number in range(1, length + 1):
            content = content_at(imported, public_id, number)
            right = (number + round_number) % 3 != 0 if round_number else number % 2 == 0
            page.goto(f"{live_server}/study/{public_id}/{number}")
            fill_in(page, imported, content, (right_values if right else wrong_values)(content))
            page.locator(f"#confidence-{1 + number % 3}").check()
            page.locator("form.question-form button.primary").click()
            expect(page.locator(".verdict")).to_be_visible()
    page.goto(f"{live_server}/study/{public_id}/results")
    expect(page.locator("ol.result-grid")).to_be_visible()
    shoot(page, "phone-results-en")
    desk = page.context.browser.new_context(locale="en-US", viewport=DESKTOP)
    try:
        desk.add_cookies(page.context.cookies())
        progress = desk.new_page()
        progress.goto(f"{live_server}/study/progress")
        expect(progress.locator("#objectives-heading")).to_be_visible()
        expect(progress.locator("table.objectives svg.sparkline").first).to_be_visible()
        shoot(progress, "progress-en", full_page=True)
    finally:
        desk.close()


def test_the_source_viewer_and_dark_mode(imported, live_server, new_page):
    """The cited passage in its article; a question in the dark."""
    page = new_page(width=1024, height=720)
    public_id = seeded_attempt(imported, page, live_server, "starter", 3)
    content = content_at(imported, public_id, 1)
    page.goto(f"{live_server}/study/{public_id}/1")
    fill_in(page, imported, content, right_values(content))
    page.locator("#confidence-1").check()
    page.locator("form.question-form button.primary").click()
    page.locator(".evidence a[href*='/sources/']").first.click()
    target = page.locator("mark.cited.target").first
    expect(target).to_be_focused()  # scrolled to and announced
    target.evaluate("mark => mark.scrollIntoView({block: 'center'})")
    shoot(page, "source-viewer-en")
    dark = new_page(color_scheme="dark", **PHONE)
    public_id = seeded_attempt(imported, dark, live_server, "starter", 3)
    dark.goto(f"{live_server}/study/{public_id}/1")
    assert dark.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    shoot(dark, "dark-phone-question-en")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_live_lesson(imported, live_server, new_page, browser, language):
    """The projector in a lesson: the lobby, a question with the count of
    answers, and the votes without the answer for discussion; a student's phone."""
    version_id = four_choice_question(imported)
    _teacher, public_id, code = teacher_and_session(imported, [version_id], discussion="y")
    presenter = new_page(**PROJECTOR)
    log_in(presenter, live_server)
    presenter.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    presenter.goto(f"{live_server}/classroom/{public_id}/present")
    phones = []
    try:
        for nickname in ("Ann", "Ben", "Chen Jie", "Dana", "Eli"):
            phone = browser.new_context(
                locale=LANGUAGES[language], viewport={"width": 360, "height": 740}
            )
            phones.append(phone)
            join(phone.new_page(), live_server, code, nickname)
        expect(presenter.locator(".name-chips li")).to_have_count(5, timeout=10_000)
        qr_loaded(presenter)
        if language == "en":  # the lobby and the discussion in one language: the budget
            shoot(presenter, "presenter-lobby-en")
        click_step(presenter, "present-start")
        expect(presenter.locator(".stage-choices .tile")).to_have_count(4)
        pages = [phone.pages[0] for phone in phones]
        for student in pages:
            expect(student.locator("form.question-form")).to_be_visible(timeout=10_000)
        values = (
            pages[0]
            .locator('form.question-form button[name="answer"]')
            .evaluate_all("tiles => tiles.map(tile => tile.value)")
        )
        for index, student in enumerate(pages[:4]):
            tap(student, values[[0, 1, 1, 2][index]])
        expect(presenter.locator("#answer-count")).to_have_text("4", timeout=15_000)
        shoot(presenter, f"presenter-question-{language}")
        shoot(pages[4], f"lesson-phone-{language}")
        click_step(presenter, "present-close")
        expect(presenter.locator(".stage-callout")).to_be_visible()
        if language == "en":
            shoot(presenter, "presenter-discussion-en")
    finally:
        for phone in phones:
            phone.close()


def test_the_pictures_keep_to_their_budget():
    """Checked in, the pictures weigh under 2 MB together (run after the others)."""
    pictures = sorted(SHOTS.glob("*.png"))
    if not pictures:
        pytest.fail(f"no pictures in {SHOTS}: run the module whole")
    total = sum(path.stat().st_size for path in pictures)
    assert total < BUDGET, f"{total} bytes in {len(pictures)} pictures"
