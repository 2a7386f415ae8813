"""The editor in Chromium, for the two things a reload used to spoil: two admins saving
one question (merged, or both texts side by side), and list actions, checks and
previews that keep the page where the admin was."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.editor_site import Site
from tests.browser.test_admin_editor import (
    admin_page,
    assert_no_axe_violations,
    current_content,
)
from tests.web.classroom_client import PASSWORD, make_user

# A page that reloads loses this; one whose region is swapped keeps it.
MARK = "window.__notReloaded = true"
STILL_HERE = "window.__notReloaded === true"


@pytest.fixture
def site(editor_site):
    """The one-question bank of the editor's tests, imported and served."""
    return editor_site


def two_admins(new_page, site: Site):
    """Ada and Bo, each with the edit form of q1 open."""
    ada = admin_page(new_page, site, "admin-ada")
    bo = admin_page(new_page, site, "admin-bo")
    ada.goto(site.edit_url())
    bo.goto(site.edit_url())
    return ada, bo


def save(page):
    page.get_by_role("button", name="Save", exact=True).click()


# --- Two admins ------------------------------------------------------------


def test_a_save_over_another_admins_edit_of_other_fields_is_merged_and_says_so(site, new_page):
    ada, bo = two_admins(new_page, site)
    ada.get_by_label("Prompt (English)").fill("Ada's prompt")
    save(ada)
    expect(ada.locator(".flash")).to_contain_text("Saved as version 2.")

    bo.get_by_label("Difficulty").select_option("3")
    save(bo)
    notice = bo.locator(".flash-success")
    expect(notice).to_have_text(
        "Saved as version 3, merged with version 2 that admin-ada saved meanwhile. "
        "From their version: Prompt (English)."
    )
    number, content = current_content(site.app, site.question_id)
    assert (number, content["prompt"]["en"], content["difficulty"]) == (3, "Ada's prompt", 3)


def test_a_conflict_shows_both_texts_and_choosing_theirs_keeps_the_page_in_place(
    site, new_page, axe_check
):
    ada, bo = two_admins(new_page, site)
    ada.get_by_label("Prompt (English)").fill("Ada's prompt")
    save(ada)
    expect(ada.locator(".flash")).to_contain_text("Saved as version 2.")

    bo.get_by_label("Prompt (English)").fill("Bo's prompt")
    bo.get_by_label("Difficulty").select_option("3")
    with bo.expect_response(lambda response: response.request.method == "POST") as posted:
        save(bo)
    assert posted.value.status == 409
    row = bo.locator("#merge-prompt-en")
    expect(row.get_by_role("heading", level=3)).to_have_text("Prompt (English)")
    sides = row.locator(".merge-side")
    expect(sides.nth(0)).to_contain_text("Yours")
    expect(sides.nth(0)).to_contain_text("Bo's prompt")
    expect(sides.nth(1)).to_contain_text("Theirs")
    expect(sides.nth(1)).to_contain_text(re.compile(r"Version 2, saved by admin-ada at "))
    expect(sides.nth(1)).to_contain_text("Ada's prompt")
    # Side by side, not one under the other.
    left, right = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 2
    assert_no_axe_violations(axe_check, bo, "edit-conflict")

    bo.evaluate(MARK)
    row.get_by_role("button", name="Use theirs").click()
    # The choice gives way to a note in its place, in view and focused.
    done = bo.locator("#merge-done")
    expect(done).to_be_focused()
    expect(done).to_contain_text("You have chosen for every field you both changed.")
    expect(done).to_be_in_viewport()
    assert bo.evaluate(STILL_HERE)
    expect(bo.get_by_label("Prompt (English)")).to_have_value("Ada's prompt")
    expect(bo.get_by_label("Difficulty")).to_have_value("3")
    assert current_content(site.app, site.question_id)[0] == 2  # choosing saved nothing

    save(bo)
    expect(bo.locator(".flash-success")).to_have_text("Saved as version 3.")
    number, content = current_content(site.app, site.question_id)
    assert (number, content["prompt"]["en"], content["difficulty"]) == (3, "Ada's prompt", 3)


# --- Editing without losing the place ------------------------------------------


def scroll_to(page, selector: str) -> float:
    """Bring ``selector`` to the middle of the window; return the scroll offset."""
    page.locator(selector).evaluate("el => el.scrollIntoView({block: 'center'})")
    return page.evaluate("window.scrollY")


def assert_stayed(page, before: float) -> None:
    """The page was not reloaded and did not jump away from where it was."""
    assert page.evaluate(STILL_HERE), "the page was reloaded"
    after = page.evaluate("window.scrollY")
    assert before > 200, "the test must start scrolled down"
    assert abs(after - before) < 150, f"scrolled from {before} to {after}"


def test_list_actions_check_and_preview_keep_the_place_and_the_typing(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    page.evaluate(MARK)
    page.get_by_label("Prompt (English)").fill("Typed before any round trip")

    before = scroll_to(page, "button[value=add_choice]")
    page.get_by_role("button", name="Add a choice").click()
    new_text = page.locator("#choices-2-text_zh")
    expect(new_text).to_be_focused()
    expect(page.locator("#choices-2-id")).to_have_value("c")
    assert_stayed(page, before)

    page.locator("#choices-2-text_zh").fill("第三个")
    scroll_to(page, "#choices-1-text_en")
    move = page.get_by_role("button", name="Move down choice 1")
    pressed_at = move.bounding_box()["y"]
    move.click()
    expect(page.locator("#choices-1-id")).to_have_value("a")
    expect(page.locator("#choices-0-id")).to_have_value("b")
    # The page follows the moved choice: its next "Move down" is where the
    # pointer is, so pressing again moves it on.
    again = page.get_by_role("button", name="Move down choice 2")
    expect(again).to_be_focused()
    assert page.evaluate(STILL_HERE)
    assert abs(again.bounding_box()["y"] - pressed_at) < 2
    again.click()
    expect(page.locator("#choices-2-id")).to_have_value("a")
    expect(page.get_by_role("button", name="Move up choice 3")).to_be_focused()
    expect(page.locator("#choices-1-id")).to_have_value("c")
    expect(page.locator("#choices-1-text_zh")).to_have_value("第三个")

    before = scroll_to(page, "#choices-1-text_en")
    page.get_by_role("button", name="Delete choice 2").click()
    expect(page.locator(".choice-editor")).to_have_count(2)
    expect(page.locator("#choices-1-id")).to_have_value("a")
    expect(page.locator("#choices-1-id")).to_be_focused()
    assert_stayed(page, before)

    before = scroll_to(page, "button[value=check]:not(.visually-hidden)")
    page.get_by_role("button", name="Check", exact=True).click()
    result = page.locator("#check-result")
    expect(result).to_contain_text("No problems found: the question can be saved.")
    expect(result).to_be_focused()
    assert_stayed(page, before)

    before = scroll_to(page, "button[value=check]:not(.visually-hidden)")
    page.get_by_role("button", name="Preview as a learner").click()
    preview = page.locator("#preview")
    expect(preview).to_be_focused()
    expect(preview.locator(".prompt")).to_have_text("饼干怎么了?")
    assert_stayed(page, before)
    # Right under the buttons, and in view.
    buttons = page.locator(".editor-actions").bounding_box()
    box = preview.bounding_box()
    assert 0 <= box["y"] - (buttons["y"] + buttons["height"]) < 100
    assert box["y"] < page.viewport_size["height"]

    expect(page.get_by_label("Prompt (English)")).to_have_value("Typed before any round trip")
    assert current_content(site.app, site.question_id)[0] == 1


def test_a_form_brought_by_a_round_trip_has_its_helpers_set_up_again(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    page.evaluate(MARK)
    page.get_by_role("button", name="Add a passage").click()
    expect(page.locator("#sources-1-exact")).to_be_focused()
    assert page.evaluate(STILL_HERE)
    # The new passage's picker opens on its own row.
    page.get_by_role("button", name="Pick the passage in the article").nth(1).click()
    expect(page.locator("#picker")).to_be_visible()
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#picker")).to_be_hidden()
    # Choosing a type still shows only its fields.
    page.get_by_label("Type", exact=True).select_option("numeric")
    expect(page.locator("fieldset#choices")).to_be_hidden()
    expect(page.get_by_label("Right number")).to_be_visible()


def test_enter_in_a_text_box_checks_in_place_and_the_typing_goes_on_there(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    page.evaluate(MARK)
    tags = page.get_by_label("Tags (separated by spaces or commas)")
    before = scroll_to(page, "#tags")
    tags.press("End")
    tags.press("Enter")
    expect(page.locator("#check-result")).to_contain_text("No problems found")
    expect(tags).to_be_focused()
    assert page.evaluate(STILL_HERE)
    assert page.evaluate("window.scrollY") == before
    tags.press_sequentially(" hype")
    expect(tags).to_have_value("sora-limits hype")


def test_a_failed_round_trip_says_so_and_keeps_everything_typed(site, new_page):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    page.get_by_label("Prompt (English)").fill("Typed while offline")
    page.route(
        re.compile(r".*/edit$"),
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Add a choice").click()
    failed = page.locator(".editor-failed")
    expect(failed).to_contain_text("That did not go through")
    expect(page.locator(".choice-editor")).to_have_count(2)
    expect(page.get_by_label("Prompt (English)")).to_have_value("Typed while offline")

    page.unroute(re.compile(r".*/edit$"))
    page.get_by_role("button", name="Add a choice").click()
    expect(page.locator(".choice-editor")).to_have_count(3)
    expect(page.locator(".editor-failed")).to_have_count(0)
    expect(page.get_by_label("Prompt (English)")).to_have_value("Typed while offline")


def test_an_expired_security_check_in_a_round_trip_brings_the_form_back_with_a_fresh_one(
    site, new_page
):
    page = admin_page(new_page, site)
    page.goto(site.edit_url())
    page.evaluate(MARK)
    page.get_by_label("Prompt (English)").fill("Typed before it expired")
    token = page.locator("#editor [name=csrf_token]")
    token.evaluate("el => { el.value = 'expired'; }")
    page.get_by_role("button", name="Add a choice").click()
    expect(page.locator("#problems")).to_contain_text("security check expired")
    assert page.evaluate(STILL_HERE)
    expect(page.get_by_label("Prompt (English)")).to_have_value("Typed before it expired")
    assert token.input_value() != "expired"
    page.get_by_role("button", name="Add a choice").click()
    expect(page.locator(".choice-editor")).to_have_count(3)


def test_without_javascript_the_list_actions_reload_the_page_where_the_action_was(site, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        make_user(site.app, "admin-nojs", "admin")
        page.goto(site.base + "/auth/login")
        page.get_by_label("Name").fill("admin-nojs")
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Log in").click()
        page.goto(site.edit_url())
        page.get_by_label("Prompt (English)").fill("Typed without scripts")
        page.get_by_role("button", name="Add a choice").click()
        expect(page.locator(".choice-editor")).to_have_count(3)
        expect(page).to_have_url(re.compile(r"/edit#choice-2$"))
        expect(page.locator("#choice-2")).to_be_in_viewport()
        expect(page.get_by_label("Prompt (English)")).to_have_value("Typed without scripts")
        page.get_by_role("button", name="Delete choice 3").click()
        expect(page.locator(".choice-editor")).to_have_count(2)
        page.get_by_role("button", name="Preview as a learner").click()
        expect(page).to_have_url(re.compile(r"/edit#preview$"))
        expect(page.locator("#preview")).to_be_in_viewport()
    finally:
        context.close()
