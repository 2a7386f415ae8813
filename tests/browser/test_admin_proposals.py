"""A teacher's proposal in a real Chromium: proposed, read as a diff, published.

Same small bank as the editor's browser tests; the teacher and the admin
each have their own browser context and log in through the form.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Proposal
from tests.browser.test_admin_editor import (
    OLD_PROMPT,
    assert_no_axe_violations,
    current_content,
    diff_of,
    staff_page,
)

NEW_PROMPT = "What was missing from the cookie?"


@pytest.fixture
def site(editor_site):
    """The one-question bank of the editor's tests, imported and served."""
    return editor_site


def test_a_teacher_proposes_an_edit_and_an_admin_publishes_it_after_reading_the_diff(
    site,
    new_page,
    axe_check,
    snap,
):
    teacher = staff_page(new_page, site, "ms-li", "teacher")
    teacher.goto(f"{site.base}/admin/questions/{site.question_id}")
    expect(teacher.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    teacher.get_by_role("link", name="Propose an edit").click()
    expect(teacher.locator("h1")).to_have_text("Propose an edit of q1")
    expect(teacher.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    assert_no_axe_violations(axe_check, teacher, "propose-form")
    teacher.get_by_label("Prompt (English)").fill(NEW_PROMPT)
    teacher.get_by_role("button", name="Submit for review").click()
    expect(teacher.locator(".flash")).to_contain_text("Submitted for review.")
    expect(teacher.locator("h1")).to_have_text("Proposed edit of q1")
    assert_no_axe_violations(axe_check, teacher, "teacher-proposal")
    snap(teacher, "teacher-proposal")

    admin = staff_page(new_page, site, "admin-ada", "admin")
    admin.goto(site.base + "/admin/")
    admin.get_by_role("link", name="Proposals to review (1)").click()
    assert_no_axe_violations(axe_check, admin, "review-list")
    admin.get_by_role("link", name="Proposed edit of q1").click()
    expect(admin.locator("main")).to_contain_text("By ms-li")
    assert diff_of(admin, "main", "Prompt (English)") == {
        "before": OLD_PROMPT["en"],
        "after": NEW_PROMPT,
    }
    expect(admin.locator("dl.diff dt")).to_have_count(1)  # nothing else changes
    assert_no_axe_violations(axe_check, admin, "proposal")
    snap(admin, "admin-review")
    admin.get_by_role("button", name="Publish").click()
    expect(admin.locator(".flash-success")).to_contain_text("Published: q1 is now at version 2.")
    expect(admin.locator("main")).to_contain_text("Nothing waits for review.")

    number, content = current_content(site.app, site.question_id)
    assert (number, content["prompt"]["en"], content["prompt"]["zh"]) == (
        2,
        NEW_PROMPT,
        OLD_PROMPT["zh"],
    )
    teacher.goto(site.base + "/admin/proposals/mine")
    expect(teacher.get_by_role("link", name="published as version 2")).to_be_visible()
    with site.app.app_context():
        assert db.session.scalar(select(Proposal.status)) == "published"
        logged = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert logged[-3:] == ["proposal.submit", "question.edit", "proposal.publish"]
