"""In Chromium: the passage picker after a refusal. A selection or a search result
too short to be a quote is refused, and "Use the whole sentence" then widens the
range that was tried, with the mouse and from the keyboard alike."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_editor import admin_page, drag_across, open_picker

SHORT = "咬了一口"
SENTENCE = "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。"


@pytest.fixture
def site(editor_site):
    """The one-question bank of the editor's tests, imported and served."""
    return editor_site


def test_after_a_short_selection_is_refused_the_whole_sentence_button_widens_it(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    open_picker(page)
    span = page.locator("#picker-article span[data-start]", has_text="一个人咬了一口饼干").first
    assert drag_across(page, span, SHORT, 0) == SHORT

    page.get_by_role("button", name="Use the selection").click()
    expect(page.locator("#picker-message")).to_contain_text("That selection is too short")
    whole = page.get_by_role("button", name="Use the whole sentence")
    expect(whole).to_be_enabled()
    whole.click()

    expect(page.locator("#picker")).to_be_hidden()
    expect(page.locator("#sources-0-exact")).to_have_value(SENTENCE)


def test_after_a_short_search_result_is_refused_the_keyboard_reaches_the_whole_sentence(
    site, new_page
):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    opener = page.get_by_role("button", name="Pick the passage in the article")
    opener.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Search the article")).to_be_focused()

    page.keyboard.type(SHORT)
    expect(page.locator("#picker-results li")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Use this")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#picker-message")).to_contain_text("That selection is too short")

    # The next stop after the result is the whole sentence ("Use the selection"
    # stays disabled: nothing is selected with the mouse).
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Use the whole sentence")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#picker")).to_be_hidden()
    quote = page.get_by_label("Quote")
    expect(quote).to_have_value(SENTENCE)
    expect(quote).to_be_focused()
