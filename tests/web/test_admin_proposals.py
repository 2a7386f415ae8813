"""Teachers' proposals through HTTP: proposing, the admins' review, publishing, declining.

Every form is read from the page that shows it and posted back with its
CSRF token, as a browser would; who may use each route at all is walked in
``test_admin_access.py``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Proposal, Question
from tests.conftest import make_bank
from tests.web.classroom_client import Browser, Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import hidden

NEW_PROMPT = "What was missing from the cookie?"


@dataclass
class Staffroom:
    """One imported bank (``test-bank``, question ``q1``), an admin and a teacher."""

    app: object
    admin: Teacher
    teacher: Teacher
    question_id: int

    def propose(self, url: str, browser: Browser | None = None, action="draft", **changes):
        """Open the proposal form at ``url``, change ``changes``, press ``action``."""
        browser = browser or self.teacher
        fields = form_fields(browser.text(url), "editor")
        return browser.post(url, {**fields, **changes, "action": action})

    def propose_edit(self, action="draft", **changes):
        return self.propose(
            f"/admin/questions/{self.question_id}/propose", action=action, **changes
        )

    def press(self, browser: Browser, page_url: str, action_url: str, **changes):
        """Post the form whose action is ``action_url`` on the page at ``page_url``."""
        fields = form_fields(browser.text(page_url), action_url)
        assert fields, f"no form posting to {action_url} on {page_url}"
        return browser.post(action_url, {**fields, **changes})

    def current(self) -> tuple[int, dict]:
        with self.app.app_context():
            version = db.session.get(Question, self.question_id).current_version
            return version.number, version.content

    def log(self) -> list[tuple]:
        """(action, actor) of every entry after the import."""
        with self.app.app_context():
            rows = db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action != "banks.import")
                .order_by(AuditEntry.id)
            )
            return [(entry.action, entry.actor.name) for entry in rows]


@pytest.fixture
def room(app, runner, write_bank) -> Staffroom:
    result = runner.invoke(args=["quiz", "import", str(write_bank(make_bank()))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).filter_by(key="q1"))
    return Staffroom(
        app, Teacher.quick(app, "ada", "admin"), Teacher.quick(app, "ms-li"), question_id
    )


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', page)]


def followed(browser: Browser, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return browser.text(response.headers["Location"])


def proposal_url(response) -> str:
    """The proposal page a save redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/admin/proposals/\d+", location), location
    return location


def diff_lines(page: str) -> dict[str, str]:
    """Each changed line of the first diff on the page: its name and its pieces, marked."""
    block = page[page.index('<dl class="diff">') :]
    block = block[: block.index("</dl>")]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block, re.DOTALL)
    return {html.unescape(name.strip()): html.unescape(value) for name, value in pairs}


# The whole flow


def test_a_teacher_proposes_an_edit_and_an_admin_publishes_it_after_reading_the_diff(room):
    question_page = room.teacher.text(f"/admin/questions/{room.question_id}")
    assert f'href="/admin/questions/{room.question_id}/propose"' in question_page
    assert f"/admin/questions/{room.question_id}/edit" not in question_page

    form_page = room.teacher.text(f"/admin/questions/{room.question_id}/propose")
    assert 'value="draft"' in form_page and 'value="submit"' in form_page
    assert 'value="save"' not in form_page
    saved = room.propose_edit(prompt_en=NEW_PROMPT)
    url = proposal_url(saved)
    page = followed(room.teacher, saved)
    assert "Draft saved. Only you can see it until you submit it." in flashes(page)
    assert diff_lines(page)["Prompt (English)"] == (
        "<span>What </span><del>happened to</del><ins>was missing from</ins><span> the cookie?</span>"
    )
    # A draft is the teacher's alone: the admins' list does not have it.
    assert "Proposals to review (0)" in room.admin.text("/admin/")
    assert room.admin.get(url).status_code == 404

    page = followed(room.teacher, room.press(room.teacher, url, f"{url}/submit"))
    assert "Submitted for review. An admin will publish or decline it." in flashes(page)
    assert "Proposals to review (1)" in room.admin.text("/admin/")
    listed = main_part(room.admin.text("/admin/proposals"))
    assert f'href="{url}"' in listed and "Proposed edit of q1" in listed and "ms-li" in listed

    review = room.admin.text(url)
    assert "What it changes in version 1" in review
    assert "<ins>was missing from</ins>" in review
    published = room.press(room.admin, url, f"{url}/publish")
    assert published.headers["Location"] == "/admin/proposals"
    assert "Published: q1 is now at version 2." in flashes(followed(room.admin, published))
    number, content = room.current()
    assert (number, content["prompt"]["en"]) == (2, NEW_PROMPT)

    mine = main_part(room.teacher.text("/admin/proposals/mine"))
    assert "published as version 2" in mine
    assert room.log() == [
        ("proposal.submit", "ms-li"),
        ("question.edit", "ada"),
        ("proposal.publish", "ada"),
    ]
    audit = main_part(room.admin.text("/admin/audit"))
    assert "proposal published" in audit and "proposal submitted" in audit
    assert f'href="{url}">proposal for q1 by ms-li</a>' in audit


def test_a_teacher_proposes_a_new_question_and_an_admin_declines_it_with_a_note(room):
    bank_page = room.teacher.text("/admin/banks/test-bank")
    assert 'href="/admin/banks/test-bank/propose"' in bank_page
    submitted = room.propose(
        "/admin/banks/test-bank/propose",
        action="submit",
        key="fake-or-not",
        prompt_zh="这段视频是真的吗?",
        prompt_en="Is this video real?",
        **{"choices-0-text_zh": "不一定", "choices-0-text_en": "Not necessarily"},
        **{"choices-1-text_zh": "是", "choices-1-text_en": "Yes"},
        explanation_zh="要看来源。",
        explanation_en="Check the source.",
        **{"sources-0-doc": "huanqiu-2024-02", "sources-0-exact": "一个人咬了一口饼干"},
    )
    url = proposal_url(submitted)
    page = followed(room.teacher, submitted)
    assert "Submitted for review." in flashes(page)[0]

    review = room.admin.text(url)
    assert "Proposed new question fake-or-not" in review and "The new question" in review
    assert "<ins>Is this video real?</ins>" in review
    declined = room.press(
        room.admin, url, f"{url}/decline", note="Please cite where the video ran."
    )
    assert "Declined. The teacher sees your note with the proposal." in flashes(
        followed(room.admin, declined)
    )
    with room.app.app_context():
        assert db.session.scalar(select(Question.id).filter_by(key="fake-or-not")) is None

    page = main_part(room.teacher.text(url))
    assert "Declined" in page and "Please cite where the video ran." in page
    assert f"{url}/edit" not in page  # decided: no longer the teacher's to change
    assert "declined" in main_part(room.teacher.text("/admin/proposals/mine"))
    assert room.log() == [("proposal.submit", "ms-li"), ("proposal.decline", "ada")]


def test_the_teacher_changes_withdraws_and_deletes_their_own_proposal(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    changed = room.propose(f"{url}/edit", action="submit", prompt_en="Where is the bite?")
    assert changed.headers["Location"] == url
    assert "<ins>bite</ins>" in room.admin.text(url)
    page = followed(room.teacher, room.press(room.teacher, url, f"{url}/withdraw"))
    assert "Withdrawn: the proposal is a draft again, seen only by you." in flashes(page)
    assert room.admin.get(url).status_code == 404
    deleted = room.press(room.teacher, url, f"{url}/delete")
    assert deleted.headers["Location"] == "/admin/proposals/mine"
    with room.app.app_context():
        assert db.session.scalars(select(Proposal)).all() == []
    assert room.log() == [
        ("proposal.submit", "ms-li"),
        ("proposal.submit", "ms-li"),
        ("proposal.withdraw", "ms-li"),
    ]


# The form checks like the editor's


def test_a_proposal_is_checked_by_the_banks_rules_and_nothing_invalid_is_kept(room):
    refused = room.propose_edit(prompt_en="")
    assert refused.status_code == 422
    assert 'id="problems"' in refused.get_data(as_text=True)
    with room.app.app_context():
        assert db.session.scalars(select(Proposal)).all() == []


def test_the_proposal_form_previews_and_edits_its_lists_without_saving(room):
    preview = room.propose_edit(action="preview", preview_language="en", prompt_en=NEW_PROMPT)
    assert preview.status_code == 200 and 'id="preview"' in preview.get_data(as_text=True)
    added = room.propose_edit(action="add_choice")
    assert 'name="choices-2-id"' in added.get_data(as_text=True)
    with room.app.app_context():
        assert db.session.scalars(select(Proposal)).all() == []


def test_an_edit_that_changes_nothing_is_refused_with_a_message(room):
    refused = room.propose_edit()
    assert refused.status_code == 422
    assert "This changes nothing in the question yet." in refused.get_data(as_text=True)


def test_a_new_question_with_an_id_the_bank_has_is_refused_next_to_the_id(room):
    fields = form_fields(
        room.teacher.text(f"/admin/questions/{room.question_id}/propose"), "editor"
    )
    refused = room.propose("/admin/banks/test-bank/propose", **{**fields, "key": "q1"})
    assert refused.status_code == 422
    assert "A question with this id is already in the bank." in refused.get_data(as_text=True)


# Who sees what


def test_another_teachers_proposal_and_its_buttons_do_not_exist_for_a_teacher(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    other = Teacher.quick(room.app, "mr-wu")
    token = hidden(other.text("/admin/"), "csrf_token")
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/edit").status_code == 404
    for action in ("submit", "withdraw", "delete"):
        assert other.post(f"{url}/{action}", {"csrf_token": token}).status_code == 404
    assert url not in other.text("/admin/proposals/mine")
    assert other.get("/admin/proposals").status_code == 403


def test_a_teacher_cannot_publish_or_decline_even_their_own_proposal(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    page = room.teacher.text(url)
    assert f"{url}/publish" not in page and f"{url}/decline" not in page
    fields = form_fields(room.admin.text(url), f"{url}/publish")
    fields["csrf_token"] = hidden(page, "csrf_token")
    assert room.teacher.post(f"{url}/publish", fields).status_code == 403
    assert room.teacher.post(f"{url}/decline", fields).status_code == 403
    assert room.current()[0] == 1


def test_odd_addresses_and_forms_answer_404_or_400_never_500(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    for path in ("/admin/proposals/abc", "/admin/proposals/99999", "/admin/proposals/-1/edit"):
        assert room.admin.get(path).status_code == 404
    assert room.teacher.get("/admin/banks/no-such-bank/propose").status_code == 404
    assert room.teacher.get("/admin/questions/99999/propose").status_code == 404
    for base in ("", "abc", "99999"):
        bad = room.propose_edit(base_version=base, prompt_en=NEW_PROMPT)
        assert bad.status_code == 400
    assert room.propose_edit(action="launch", prompt_en=NEW_PROMPT).status_code == 400
    token = hidden(room.admin.text(url), "csrf_token")
    assert room.admin.post(f"{url}/publish", {"csrf_token": token}).status_code == 400
    assert room.admin.post(f"{url}/decline", {"csrf_token": token}).status_code == 400
    too_long = room.press(room.admin, url, f"{url}/decline", note="x" * 2001)
    assert too_long.status_code == 422
    assert room.current()[0] == 1


# Stale pages and stale bases


def test_publishing_what_the_teacher_changed_since_the_admin_read_it_publishes_nothing(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    read = form_fields(room.admin.text(url), f"{url}/publish")
    room.propose(f"{url}/edit", action="submit", prompt_en="Something else entirely?")
    response = room.admin.post(f"{url}/publish", read)
    assert "nothing was done. Read it again." in flashes(followed(room.admin, response))[0]
    assert room.current()[0] == 1


def test_a_proposal_on_a_version_changed_since_in_the_same_field_shows_the_conflict(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    fields = form_fields(room.admin.text(f"/admin/questions/{room.question_id}/edit"), "editor")
    saved = room.admin.post(
        f"/admin/questions/{room.question_id}/edit",
        {**fields, "prompt_en": "Whose cookie was it?", "action": "save"},
    )
    assert saved.status_code == 302
    review = room.admin.text(url)
    assert "Against the current version 2" in review
    assert "version 1 (now 2)" in main_part(room.admin.text("/admin/proposals"))

    refused = room.press(room.admin, url, f"{url}/publish")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Not published: the same part of the question was changed since" in page
    assert "ada saved version 2 after this proposal was written" in page
    assert (room.current()[0], room.current()[1]["prompt"]["en"]) == (2, "Whose cookie was it?")
    with room.app.app_context():
        assert db.session.scalar(select(Proposal.status)) == "proposed"


# What publishing makes: learners get it only if its status is "published"


def propose_new_question(room: Staffroom, **changes) -> str:
    """Submit a new question ``tom-new-1`` as the teacher, the form's defaults kept
    but for ``changes``; return the proposal's address."""
    submitted = room.propose(
        "/admin/banks/test-bank/propose",
        action="submit",
        key="tom-new-1",
        prompt_zh="这段视频是真的吗?",
        prompt_en="Is this video real?",
        **{"choices-0-text_zh": "不一定", "choices-0-text_en": "Not necessarily"},
        **{"choices-1-text_zh": "是", "choices-1-text_en": "Yes"},
        explanation_zh="要看来源。",
        explanation_en="Check the source.",
        **{"sources-0-doc": "huanqiu-2024-02", "sources-0-exact": "一个人咬了一口饼干"},
        **changes,
    )
    return proposal_url(submitted)


def new_question_status(room: Staffroom) -> tuple[int, str]:
    with room.app.app_context():
        question = db.session.scalar(select(Question).filter_by(key="tom-new-1"))
        return question.current_version.number, question.current_version.status


def test_a_new_question_left_as_a_draft_is_saved_as_a_draft_and_never_called_published(room):
    form = room.teacher.text("/admin/banks/test-bank/propose")
    assert "even once an admin accepts the proposal" in form
    url = propose_new_question(room)
    assert "The status is “draft”: even once an admin accepts this proposal" in room.teacher.text(
        url
    )

    review = main_part(room.admin.text(url))
    assert (
        "The status is “draft”, so this is saved as version 1, a draft: "
        "learners will not get it until it is published."
    ) in review
    assert ">Save as version 1 (draft)</button>" in review
    assert ">Publish</button>" not in review

    done = followed(room.admin, room.press(room.admin, url, f"{url}/publish"))
    assert flashes(done) == [
        "Saved as a draft: tom-new-1 is now at version 1. "
        "Learners will not get it until it is published."
    ]
    assert new_question_status(room) == (1, "draft")

    mine = main_part(room.teacher.text("/admin/proposals/mine"))
    assert "accepted as version 1, a draft: not offered to learners" in mine
    assert "published" not in mine
    page = main_part(room.teacher.text(url))
    assert '<h2 id="decision-heading">Accepted</h2>' in page and ">Published<" not in page


def test_a_new_question_proposed_as_published_is_published_for_learners(room):
    url = propose_new_question(room, status="published")
    assert "The status is “draft”" not in room.teacher.text(url)

    review = main_part(room.admin.text(url))
    assert "Publishing saves this as version 1, offered to learners in new quizzes." in review
    assert ">Publish</button>" in review

    done = followed(room.admin, room.press(room.admin, url, f"{url}/publish"))
    assert flashes(done) == ["Published: tom-new-1 is now at version 1."]
    assert new_question_status(room) == (1, "published")
    assert "published as version 1" in main_part(room.teacher.text("/admin/proposals/mine"))
    assert '<h2 id="decision-heading">Published</h2>' in main_part(room.teacher.text(url))


def test_an_edit_of_a_question_retired_since_says_it_stays_retired(room):
    url = proposal_url(room.propose_edit(action="submit", prompt_en=NEW_PROMPT))
    question_url = f"/admin/questions/{room.question_id}"
    retired = room.press(room.admin, question_url, f"{question_url}/retire")
    assert retired.status_code == 302

    review = main_part(room.admin.text(url))
    assert "so this is saved as version 3, retired: learners will not get it." in review
    assert ">Save as version 3 (retired)</button>" in review

    done = flashes(followed(room.admin, room.press(room.admin, url, f"{url}/publish")))
    assert done[0].startswith("Saved as version 3, merged with version 2")
    assert done[1:] == ["Version 3 is retired: learners do not get it."]
    assert (room.current()[0], room.current()[1]["status"]) == (3, "retired")
    mine = main_part(room.teacher.text("/admin/proposals/mine"))
    assert "accepted as version 3, retired: not offered to learners" in mine
