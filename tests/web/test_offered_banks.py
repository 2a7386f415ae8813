"""A bank with no published question is shown to no learner and cannot be started."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import make_bank, make_question
from tests.web.classroom_client import SESSION_OPTIONS, Teacher
from tests.web.study_client import Learner, hidden


@pytest.fixture
def shelf(app, runner, write_bank):
    """``test-bank`` with a published question, ``drafts`` with a draft only, ``empty`` with none."""
    documents = [
        make_bank("test-bank"),
        make_bank("drafts", [make_question(status="draft")]),
        make_bank("empty", []),
    ]
    paths = [write_bank(document, f"{document['bank']}.yaml") for document in documents]
    result = runner.invoke(args=["quiz", "import", *map(str, paths)])
    assert result.exit_code == 0, result.output
    return app


def listed(page: str) -> list[str]:
    return re.findall(r'name="banks" id="bank-[^"]*" value="([^"]*)"', page)


def test_the_home_page_lists_only_banks_with_published_questions(shelf):
    page = Learner(shelf).text("/")
    assert "/study/start?bank=test-bank" in page
    assert "bank=drafts" not in page and "bank=empty" not in page
    assert page.count('<li class="card">') == 1


def test_the_home_page_without_any_published_question_says_so(app):
    assert "No questions are published yet." in Learner(app).text("/")


def test_the_study_start_form_offers_only_banks_with_published_questions(shelf):
    assert listed(Learner(shelf).text("/study/start")) == ["test-bank"]


@pytest.mark.parametrize("slug", ["drafts", "empty"])
def test_starting_a_bank_without_published_questions_is_refused_in_words(shelf, slug):
    learner = Learner(shelf)
    response = learner.post("/study/start", learner.start_form(banks=[slug]))
    assert response.status_code == 422
    assert "These banks have no questions yet." in response.get_data(as_text=True)


def test_a_new_class_session_offers_only_banks_with_published_questions(shelf):
    teacher = Teacher.quick(shelf)
    assert listed(teacher.text("/classroom/new")) == ["test-bank"]


@pytest.mark.parametrize("slug", ["drafts", "empty"])
def test_a_session_on_a_bank_without_published_questions_is_refused_in_words(shelf, slug):
    teacher = Teacher.quick(shelf)
    page = teacher.text("/classroom/new")
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "token": hidden(page, "token"),
        "banks": [slug],
        **SESSION_OPTIONS,
    }
    response = teacher.post("/classroom/new", data)
    assert response.status_code == 422
    errors = re.findall(r'class="form-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert [html.unescape(error) for error in errors] == [
        f"'{slug}' is not a valid choice for this field."
    ]
