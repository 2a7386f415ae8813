"""In Chromium: retire a question and bring it back with one click each, and pick a
whole sentence in the passage picker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_editor import (
    admin_page,
    assert_no_axe_violations,
    current_content,
    drag_across,
    open_picker,
)

SENTENCE = "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。"


@pytest.fixture
def site(editor_site):
    """The one-question bank of the editor's tests, imported and served."""
    return editor_site


def test_an_admin_retires_and_brings_back_a_question_with_one_click_each(
    site, new_page, axe_check, snap
):
    page = admin_page(new_page, site)
    page.goto(f"{site.base}/admin/questions/{site.question_id}")
    assert_no_axe_violations(axe_check, page, "published")

    page.get_by_role("button", name="Retire", exact=True).click()
    expect(page.locator(".flash")).to_have_text(
        "Retired as version 2: it is no longer offered to learners."
    )
    expect(page.locator("main")).to_contain_text("not offered to learners")
    assert current_content(site.app, site.question_id)[1]["status"] == "retired"
    snap(page, "retired")
    assert_no_axe_violations(axe_check, page, "retired")

    page.get_by_role("button", name="Bring back").click()
    expect(page.locator(".flash")).to_have_text(
        "Brought back as version 3: learners are offered it again."
    )
    expect(page.locator("main")).to_contain_text("learners get version 3")
    expect(page.get_by_role("button", name="Retire", exact=True)).to_be_visible()
    assert current_content(site.app, site.question_id)[0] == 3


def test_the_picker_widens_a_mouse_selection_to_its_whole_sentence(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    open_picker(page)
    whole = page.get_by_role("button", name="Use the whole sentence")
    expect(whole).to_be_disabled()
    span = page.locator("#picker-article span[data-start]", has_text="一个人咬了一口饼干").first
    assert drag_across(page, span, "咬了一口", 0) == "咬了一口"
    expect(whole).to_be_enabled()
    whole.click()
    # The sentence is asked of the server first: give it a loaded CI machine's time.
    expect(page.locator("#picker")).to_be_hidden(timeout=15_000)
    expect(page.locator("#sources-0-exact")).to_have_value(SENTENCE)
