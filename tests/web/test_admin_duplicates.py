"""The editor warns of a question that may repeat another, and refuses undeclared tags."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from tests.conftest import dump, make_bank, make_question
from tests.web.classroom_client import Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import hidden

NEW = "/admin/banks/test-bank/questions/new"
OTHER_QUOTE = "学术界、商界、行政部门以及AI教授都很担心"
OTHER_PROMPT = {"prompt_zh": "谁很担心?", "prompt_en": "Who is worried?"}


@pytest.fixture
def admin(app, runner, write_bank) -> Teacher:
    result = runner.invoke(args=["quiz", "import", str(write_bank(make_bank()))])
    assert result.exit_code == 0, result.output
    return Teacher.quick(app, "ada", "admin")


def q1_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Question.id).filter_by(key="q1"))


def copy_of_q1(admin: Teacher, **changes) -> dict:
    """The new-question form filled in as q1 is (same passage, same prompt), as ``q2``."""
    fields = form_fields(admin.text(f"/admin/questions/{q1_id(admin.app)}/edit"), "editor")
    fields.pop("base_version", None)
    token = hidden(admin.text(NEW), "csrf_token")
    return {**fields, "csrf_token": token, "key": "q2", **changes}


def warnings(page: str) -> list[str]:
    """The duplicate warnings of ``page`` (lint's warnings are tested in test_teaching)."""
    found = re.findall(r'<p class="flash flash-warning"[^>]*>(.*?)</p>', page, re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", text)) for text in found]
    return [text for text in texts if not text.startswith("Lint (")]


def test_check_warns_that_the_passage_and_the_prompt_repeat_another_question(admin):
    response = admin.post(NEW, {**copy_of_q1(admin), "action": "check"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert warnings(page) == [
        "Passage 1 is already cited by test-bank/q1.",
        "The prompt is nearly the same as that of test-bank/q1.",
    ]
    assert f'<a href="/admin/questions/{q1_id(admin.app)}">test-bank/q1</a>' in page
    assert "No problems found: the question can be saved." in page
    assert re.search(r"\d+ warnings say what could be better\.", page)


def test_check_gives_no_warning_for_a_question_of_its_own(admin):
    changes = {**OTHER_PROMPT, "sources-0-exact": OTHER_QUOTE}
    page = admin.post(NEW, {**copy_of_q1(admin, **changes), "action": "check"})
    assert warnings(page.get_data(as_text=True)) == []


def test_checking_an_edit_does_not_warn_of_the_question_itself(admin):
    url = f"/admin/questions/{q1_id(admin.app)}/edit"
    fields = form_fields(admin.text(url), "editor")
    assert warnings(admin.post(url, {**fields, "action": "check"}).get_data(as_text=True)) == []


def test_a_new_question_is_saved_despite_the_warnings_which_its_page_then_shows(admin):
    response = admin.post(NEW, {**copy_of_q1(admin), "action": "save"})
    assert response.status_code == 302
    page = admin.text(response.headers["Location"])
    assert warnings(page) == [
        "Passage 1 is already cited by test-bank/q1.",
        "The prompt is nearly the same as that of test-bank/q1.",
    ]
    with admin.app.app_context():
        assert db.session.scalar(select(Question).filter_by(key="q2")) is not None


def test_an_undeclared_tag_is_shown_under_the_tags_field_and_nothing_is_saved(admin):
    response = admin.post(NEW, {**copy_of_q1(admin, tags="sora-limits scam"), "action": "save"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "unknown tag 'scam' (closest known: 'scams')" in page
    tags_input = re.search(r'<input[^>]*\bid="tags"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in tags_input
    with admin.app.app_context():
        assert db.session.scalar(select(Question).filter_by(key="q2")) is None


def test_an_uploaded_bank_with_an_undeclared_tag_is_refused(admin):
    body = dump(make_bank("more", [make_question(tags=["deepfake-case"])])).encode()
    token = hidden(admin.text("/admin/upload"), "csrf_token")
    response = admin.post(
        "/admin/upload", {"csrf_token": token, "files": [(io.BytesIO(body), "more.yaml")]}
    )
    page = html.unescape(response.get_data(as_text=True))
    assert "unknown tag 'deepfake-case' (closest known: 'deepfake-cases')" in page


def test_tags_are_shown_by_their_names_from_the_vocabulary(admin):
    page = admin.text(f"/admin/questions/{q1_id(admin.app)}")
    assert "What Sora gets wrong <code>sora-limits</code>" in html.unescape(page)
    listing = admin.text("/admin/questions")
    assert '<option value="sora-limits">What Sora gets wrong (sora-limits)</option>' in listing
