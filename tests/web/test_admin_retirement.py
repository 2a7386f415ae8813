"""Retire a question and bring it back from its page: one button each, admins only."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Question
from tests.conftest import make_bank
from tests.web.classroom_client import Browser, Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import Learner


@pytest.fixture
def admin(app, runner, write_bank) -> Teacher:
    result = runner.invoke(args=["quiz", "import", str(write_bank(make_bank()))])
    assert result.exit_code == 0, result.output
    return Teacher.quick(app, "ada", "admin")


def q1(app) -> Question:
    return db.session.scalar(select(Question).filter_by(key="q1"))


def page_of(app) -> str:
    with app.app_context():
        return f"/admin/questions/{q1(app).id}"


def press(browser: Browser, button: str, page: str | None = None):
    """Press the form button ``button`` ("retire" or "unretire") on the question's page."""
    page = page or browser.text(page_of(browser.app))
    action = f"{page_of(browser.app)}/{button}"
    assert f'action="{action}"' in page, f"no {button} button"
    return browser.post(action, form_fields(page, action))


def flashes(browser: Browser, response) -> list[str]:
    assert response.status_code == 302
    page = browser.text(response.headers["Location"])
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', page)]


def state(app) -> tuple:
    with app.app_context():
        question = q1(app)
        return question.current_version.number, question.current_version.status


def test_one_click_retires_the_question_and_learners_no_longer_get_it(admin):
    response = press(admin, "retire")
    assert flashes(admin, response) == [
        "Retired as version 2: it is no longer offered to learners."
    ]
    assert state(admin.app) == (2, "retired")
    assert 'name="banks" id="bank-test-bank"' not in Learner(admin.app).text("/study/start")


def test_one_click_brings_it_back_as_it_was(admin):
    press(admin, "retire")
    response = press(admin, "unretire")
    assert flashes(admin, response) == ["Brought back as version 3: learners are offered it again."]
    assert state(admin.app) == (3, "published")
    assert 'name="banks" id="bank-test-bank"' in Learner(admin.app).text("/study/start")
    with admin.app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["question.retire", "question.unretire"]
    log = html.unescape(admin.text("/admin/audit"))
    assert "question retired" in log and "question brought back" in log


def test_the_page_offers_the_one_button_that_fits(admin):
    assert '/retire"' in admin.text(page_of(admin.app))
    press(admin, "retire")
    page = admin.text(page_of(admin.app))
    assert '/unretire"' in page and '/retire"' not in page


def test_a_click_on_a_page_opened_before_another_change_is_refused(admin):
    stale_page = admin.text(page_of(admin.app))
    other = Teacher.quick(admin.app, "bo", "admin")
    press(other, "retire")
    press(other, "unretire")
    response = press(admin, "retire", stale_page)
    assert flashes(admin, response) == [
        "Version 3 was saved by someone else since you opened this page, so nothing was "
        "changed. Here is the question as it is now."
    ]
    assert state(admin.app) == (3, "published")


def test_a_teacher_may_neither_retire_nor_bring_back(admin):
    teacher = Teacher.quick(admin.app, "ms-li")
    page = teacher.text(page_of(admin.app))
    assert '/retire"' not in page
    fields = form_fields(admin.text(page_of(admin.app)), f"{page_of(admin.app)}/retire")
    fields["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    for button in ("retire", "unretire"):
        assert teacher.post(f"{page_of(admin.app)}/{button}", fields).status_code == 403
    assert state(admin.app) == (1, "published")


def test_a_post_without_its_security_token_changes_nothing(admin):
    fields = form_fields(admin.text(page_of(admin.app)), f"{page_of(admin.app)}/retire")
    del fields["csrf_token"]
    assert admin.post(f"{page_of(admin.app)}/retire", fields).status_code == 400
    assert state(admin.app) == (1, "published")


@pytest.mark.parametrize("base", ["9" * 25, "١٢", "", "v1"])
def test_a_base_version_that_cannot_be_one_is_a_bad_request(admin, base):
    fields = form_fields(admin.text(page_of(admin.app)), f"{page_of(admin.app)}/retire")
    fields["base_version"] = base
    assert admin.post(f"{page_of(admin.app)}/retire", fields).status_code == 400
    assert state(admin.app) == (1, "published")
