"""Other tools' formats in a real Chromium: a download for Moodle, and a
file from another tool brought in as drafts through its plan."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.editor_site import Site
from tests.browser.test_admin_editor import admin_page

GIFT = """::capital:: Which city is the capital of France? {=Paris ~Lyon}

::essay:: Say what you think of Sora. {}
"""


def test_a_bank_goes_to_moodle_and_a_gift_file_comes_in_as_a_draft(
    editor_site: Site, new_page, axe_check, tmp_path
):
    page = admin_page(new_page, editor_site)
    page.goto(f"{editor_site.base}/admin/banks/test-bank")
    page.get_by_role("link", name="Other tools: Moodle, QTI, spreadsheets").click()
    expect(page.get_by_role("heading", name="Download the bank for another tool")).to_be_visible()
    axe_check(page, "exchange")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download test-bank.gift.txt").click()
    download = downloading.value
    assert download.suggested_filename == "test-bank.gift.txt"
    assert "::q1::" in download.path().read_text(encoding="utf-8")

    upload = tmp_path / "quiz.gift"
    upload.write_text(GIFT, "utf-8")
    page.get_by_label("A file from another tool").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(
        page.get_by_role("heading", name="1 draft will be added to", exact=False)
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("quiz.gift:3 essay")
    axe_check(page, "drafts-plan")
    # A link-button stands as tall as the button beside it (it was 62 px to 44).
    heights = [
        page.get_by_role(role, name=name).bounding_box()["height"]
        for role, name in (("button", "Add these drafts"), ("link", "Add nothing"))
    ]
    assert heights[0] == heights[1] >= 44, heights
    page.get_by_role("button", name="Add these drafts").click()
    expect(page).to_have_url(re.compile(r"/admin/questions\?bank=test-bank&status=draft$"))
    page.get_by_role("link", name="capital").first.click()
    expect(page.locator("main")).to_contain_text("No passage cited yet")
    axe_check(page, "draft-question")


def test_on_a_phone_every_download_is_in_reach(editor_site: Site, new_page):
    """At 360 px the table may scroll, but each format's download sits under its name."""
    page = admin_page(new_page, editor_site)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{editor_site.base}/admin/banks/test-bank/exchange")
    links = page.locator("table.exchange-formats a[download]")
    expect(links).to_have_count(5)
    for index in range(5):
        box = links.nth(index).bounding_box()
        assert box["x"] + box["width"] <= 360, links.nth(index).inner_text()
