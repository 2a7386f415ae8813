"""Two admins editing one question through HTTP: merged saves, conflicts and the choice
between both texts, and forms whose hidden state makes no sense."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Question
from tests.conftest import make_bank, make_question
from tests.web.classroom_client import Teacher
from tests.web.editor_client import form_fields
from tests.web.test_admin_editor import Desk, flashes, followed, import_banks, question_id

ADA_PROMPT = "What did Ada ask?"
BOB_PROMPT = "What did Bob ask?"
ADA_EXPLANATION = "Ada's explanation."


@pytest.fixture
def desk(app, runner, write_bank) -> Desk:
    """q1 in test-bank, and ada, an admin, at the editor."""
    import_banks(runner, write_bank, make_bank())
    return Desk(app, Teacher.quick(app, "ada", "admin"), question_id(app, "q1"))


@pytest.fixture
def bob(desk) -> Teacher:
    """A second admin, in another browser."""
    return Teacher.quick(desk.app, "bob", "admin")


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


def row_markup(page: str, field: str) -> str:
    start = page.index(f'<div class="merge-row" id="merge-{field}"')
    ends = [page.find(mark, start + 1) for mark in ('<div class="merge-row"', "</section>")]
    return page[start : min(end for end in ends if end != -1)]


def merge_row(page: str, field: str) -> str:
    """The side-by-side choice for ``field`` ("prompt-en"), as text without tags."""
    return text_of(row_markup(page, field))


def sides(page: str, field: str) -> tuple[str, str]:
    """The text of the two sides of the choice for ``field``: yours, theirs."""
    _before, yours, theirs = row_markup(page, field).split('<div class="merge-side">')
    return text_of(yours), text_of(theirs)


def version_id_of(app, question: int, number: int) -> int:
    with app.app_context():
        found = db.session.get(Question, question)
        return next(v.id for v in found.versions if v.number == number)


@pytest.fixture
def conflict(desk, bob):
    """Bob's save refused: ada changed the English prompt and the explanation meanwhile,
    bob the English prompt and the difficulty. Returns the 409 page."""
    form = desk.fields(bob)
    desk.save(prompt_en=ADA_PROMPT, explanation_en=ADA_EXPLANATION)
    response = desk.post({**form, "prompt_en": BOB_PROMPT, "difficulty": "3"}, browser=bob)
    assert response.status_code == 409
    return response.get_data(as_text=True)


# Different fields: merged


def test_a_save_over_a_version_saved_meanwhile_merges_and_says_with_whose(desk, bob):
    form = desk.fields(bob)
    desk.save(prompt_en=ADA_PROMPT)
    response = desk.post({**form, "difficulty": "3"}, browser=bob)
    assert response.status_code == 302
    assert (
        "Saved as version 3, merged with version 2 that ada saved meanwhile. "
        "From their version: Prompt (English)."
    ) in flashes(followed(bob, response))
    *_, (number, _status, _origin, author, content) = desk.versions()
    assert (number, author) == (3, "bob")
    assert (content["prompt"]["en"], content["difficulty"]) == (ADA_PROMPT, 3)


def test_the_audit_log_says_which_version_a_save_was_merged_with(desk, bob):
    form = desk.fields(bob)
    desk.save(prompt_en=ADA_PROMPT)
    desk.post({**form, "difficulty": "3"}, browser=bob)
    with desk.app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).filter_by(action="question.edit").order_by(AuditEntry.id)
        ).all()[-1]
        assert (entry.detail["merged_with"], entry.detail["taken"]) == (2, ["prompt.en"])
    assert "merged with version 2, saved meanwhile" in desk.admin.text("/admin/audit")


# The same field: both texts, and a choice


def test_a_conflict_shows_both_texts_side_by_side_with_who_saved_theirs(conflict):
    row = merge_row(conflict, "prompt-en")
    assert "Prompt (English)" in row
    yours, theirs = sides(conflict, "prompt-en")
    assert "Yours" in yours and BOB_PROMPT in yours and ADA_PROMPT not in yours
    assert "Theirs" in theirs and ADA_PROMPT in theirs and "Version 2, saved by ada at" in theirs
    assert "Keep mine" in row and "Use theirs" in row
    assert conflict.count('class="merge-row"') == 1


def test_a_conflict_keeps_everything_typed_and_brings_in_their_other_changes(desk, conflict):
    fields = form_fields(conflict, "editor")
    assert fields["prompt_en"] == BOB_PROMPT and fields["difficulty"] == "3"
    assert fields["explanation_en"] == ADA_EXPLANATION  # only ada changed it: merged
    assert fields["base_version"] == str(version_id_of(desk.app, desk.question_id, 2))
    assert fields["merge_base"] == str(version_id_of(desk.app, desk.question_id, 1))
    assert fields["conflicts"] == "prompt.en"
    assert [version[0] for version in desk.versions()] == [1, 2]


def choose(desk, bob, page: str, action: str):
    response = desk.post(form_fields(page, "editor"), action, browser=bob)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_using_theirs_then_saving_stores_theirs_there_and_mine_elsewhere(desk, bob, conflict):
    chosen = choose(desk, bob, conflict, "use_theirs-prompt.en")
    fields = form_fields(chosen, "editor")
    assert fields["prompt_en"] == ADA_PROMPT and fields["conflicts"] == ""
    assert 'class="merge-row"' not in chosen
    assert "You have chosen for every field you both changed." in chosen
    assert [version[0] for version in desk.versions()] == [1, 2]  # choosing saves nothing
    response = desk.post(fields, browser=bob)
    assert "Saved as version 3." in flashes(followed(bob, response))
    *_, (number, _status, _origin, author, content) = desk.versions()
    assert (number, author) == (3, "bob")
    assert content["prompt"]["en"] == ADA_PROMPT
    assert content["difficulty"] == 3
    assert content["explanation"]["en"] == ADA_EXPLANATION


def test_keeping_mine_then_saving_stores_mine(desk, bob, conflict):
    chosen = choose(desk, bob, conflict, "keep_mine-prompt.en")
    assert form_fields(chosen, "editor")["prompt_en"] == BOB_PROMPT
    assert 'class="merge-row"' not in chosen
    desk.post(form_fields(chosen, "editor"), browser=bob)
    content = desk.versions()[-1][4]
    assert (content["prompt"]["en"], content["explanation"]["en"]) == (BOB_PROMPT, ADA_EXPLANATION)


def test_the_choice_stays_on_the_page_through_list_actions_and_checks(desk, bob, conflict):
    added = choose(desk, bob, conflict, "add_choice")
    assert BOB_PROMPT in merge_row(added, "prompt-en")
    assert form_fields(added, "editor")["conflicts"] == "prompt.en"
    removed = choose(desk, bob, added, "remove_choice-2")
    checked = choose(desk, bob, removed, "check")
    assert "No problems found" in checked
    assert ADA_PROMPT in merge_row(checked, "prompt-en")


def test_the_choices_and_answer_conflict_shows_each_choice_on_both_sides(desk, bob):
    form = desk.fields(bob)
    desk.save(**{"choices-1-text_en": "It turned into a cake"})
    response = desk.post({**form, "choices-1-text_en": "A cake, it became"}, browser=bob)
    assert response.status_code == 409
    yours, theirs = sides(response.get_data(as_text=True), "answer")
    assert "A cake, it became" in yours and "It turned into a cake" in theirs
    assert "No bite mark" in yours and "No bite mark" in theirs


# Odd input: refused, never a server error


@pytest.mark.parametrize(
    "base", ["", "abc", "-1", "1.0", "١", "99999999999999999999", "0", "12345678"]
)
def test_a_base_version_that_is_not_one_of_this_questions_is_a_bad_request(desk, base):
    response = desk.save(base_version=base, prompt_en=ADA_PROMPT)
    assert response.status_code == 400
    assert len(desk.versions()) == 1


def test_a_base_version_of_another_question_is_a_bad_request(desk, runner, write_bank):
    other = make_bank("other-bank", [make_question(id="q9")])
    import_banks(runner, write_bank, other)
    foreign = version_id_of(desk.app, question_id(desk.app, "q9"), 1)
    assert desk.save(base_version=str(foreign), prompt_en=ADA_PROMPT).status_code == 400
    fields = {**desk.fields(), "base_version": str(foreign), "conflicts": "prompt.en"}
    assert desk.post(fields, "use_theirs-prompt.en").status_code == 400
    assert len(desk.versions()) == 1


@pytest.mark.parametrize(
    ("conflicts", "action"),
    [
        ("prompt.en", "use_theirs-no.such.field"),
        ("<b>", "use_theirs-<b>"),
        ("", "use_theirs-prompt.en"),
        ("prompt.en", "keep_mine-"),
        ("prompt.en answer", "use_theirs"),
    ],
)
def test_a_choice_for_no_field_in_conflict_changes_nothing(desk, conflicts, action):
    fields = {**desk.fields(), "prompt_en": BOB_PROMPT, "conflicts": conflicts}
    response = desk.post(fields, action)
    assert response.status_code == 200
    assert form_fields(response.get_data(as_text=True), "editor")["prompt_en"] == BOB_PROMPT
    assert len(desk.versions()) == 1


def test_a_merge_base_that_makes_no_sense_still_shows_the_choice(desk, bob, conflict):
    fields = {**form_fields(conflict, "editor"), "merge_base": "nonsense"}
    response = desk.post(fields, "check", browser=bob)
    assert response.status_code == 200
    assert "Version 2, saved by ada" in merge_row(response.get_data(as_text=True), "prompt-en")


def test_a_choice_on_a_new_question_has_nothing_to_choose_and_changes_nothing(desk):
    url = "/admin/banks/test-bank/questions/new"
    fields = {**form_fields(desk.admin.text(url), "editor"), "conflicts": "prompt.en"}
    response = desk.admin.post(url, {**fields, "action": "use_theirs-prompt.en"})
    assert response.status_code == 200
    assert 'class="merge-row"' not in response.get_data(as_text=True)


@pytest.mark.parametrize("base", ["abc", "99999999999999999999"])
def test_a_restore_over_a_base_version_that_cannot_be_one_is_a_bad_request(desk, base):
    desk.save(prompt_en=ADA_PROMPT)
    action = f"/admin/questions/{desk.question_id}/versions/1/restore"
    fields = form_fields(desk.admin.text(f"/admin/questions/{desk.question_id}/history"), action)
    assert desk.admin.post(action, {**fields, "base_version": base}).status_code == 400
    assert len(desk.versions()) == 2


def test_a_status_both_changed_is_shown_in_the_interfaces_words(desk):
    chen = Teacher.quick(desk.app, "chen", "admin", headers={"Accept-Language": "zh"})
    form = desk.fields(chen)
    desk.save(status="draft")
    response = desk.post({**form, "status": "retired"}, browser=chen)
    assert response.status_code == 409
    yours, theirs = sides(response.get_data(as_text=True), "status")
    assert "停用" in yours and "草稿" in theirs
