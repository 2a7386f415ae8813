"""The bank files in a real Chromium: writing back after reading the diff, and an
upload's plan with its differences, retirements and a conflict to settle."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from quizapp.services.versions import save_question
from tests.browser.test_admin_editor import admin_page
from tests.services.editing import make_admin, make_spec

OTHER_PROMPT = {"zh": "饼干有什么问题?", "en": "What is wrong with the cookie?"}


class Site:
    def __init__(self, app, base, folder):
        self.app, self.base, self.folder = app, base, folder

    def edit_in_editor(self, catalog, key: str, **overrides) -> None:
        with self.app.app_context():
            question = db.session.scalar(select(Question).filter_by(key=key))
            spec = make_spec(catalog, id=key, **overrides)
            save_question(question, spec, catalog, make_admin("bob"), question.current_version_id)
            db.session.commit()


@pytest.fixture
def site(folder_app, serve_app) -> Site:
    app, folder = folder_app
    return Site(app, serve_app(app), folder)


@pytest.mark.both_databases
def test_an_admin_sees_what_is_not_in_the_files_and_writes_it_back(
    site, catalog, new_page, axe_check
):
    site.edit_in_editor(catalog, "q2", difficulty=3)
    page = admin_page(new_page, site)
    page.goto(site.base + "/admin/")
    page.get_by_role("link", name="Bank files (1 change not in the files)").click()
    row = page.get_by_role("row", name="test-bank")
    expect(row).to_contain_text("changed in the editor, not yet in the file")
    expect(row).to_contain_text("test-bank/q2")
    axe_check(page, "files")
    page.get_by_role("link", name="Review and write back to the files").click()
    diff = page.locator("pre.file-diff")
    expect(diff.locator("del")).to_contain_text(["-  difficulty: 1"])
    expect(diff.locator("ins")).to_contain_text(["+  difficulty: 3"])
    axe_check(page, "write-back")
    page.get_by_role("button", name="Write these files").click()
    expect(page.locator(".flash-success")).to_contain_text("Written back: test-bank.yaml.")
    expect(page.get_by_role("row", name="test-bank")).to_contain_text("in sync")
    assert "  difficulty: 3\n" in (site.folder / "test-bank.yaml").read_text("utf-8")


@pytest.mark.both_databases
def test_a_stale_upload_shows_its_plan_and_the_admin_settles_the_conflict(
    site, catalog, new_page, axe_check, tmp_path
):
    page = admin_page(new_page, site)
    with page.expect_download() as waiting:
        page.goto(site.base + "/admin/banks/test-bank")
        page.get_by_role("link", name="Download").first.click()
    stale = waiting.value.path().read_text("utf-8")
    site.edit_in_editor(catalog, "q1", prompt=OTHER_PROMPT)  # a colleague, meanwhile
    edited = stale.replace("What happened to the cookie?", "What became of the cookie?", 1)
    # Alice also drops q2 from her copy.
    edited = edited[: edited.index("- id: q2")]
    upload = tmp_path / "test-bank.yaml"
    upload.write_text(edited, "utf-8")
    page.goto(site.base + "/admin/upload")
    page.get_by_label("Bank files (YAML)").set_input_files(upload)
    page.get_by_role("button", name="Check the files").click()
    expect(page.locator(".plan-retired")).to_contain_text("test-bank/q2")
    conflict = page.locator("table.conflict")
    expect(conflict).to_contain_text("What is wrong with the cookie?")
    # The file's value, marked where it differs from the database's.
    expect(conflict.locator("ins")).to_contain_text(["became of"])
    expect(conflict.locator("del")).to_contain_text(["is wrong with"])
    axe_check(page, "upload-plan")
    page.get_by_role("button", name="Import, taking the file's version where both changed").click()
    expect(page.locator(".flash-success")).to_contain_text("1 retired")
    with site.app.app_context():
        q1 = db.session.scalar(select(Question).filter_by(key="q1"))
        assert q1.current_version.content["prompt"]["en"] == "What became of the cookie?"


@pytest.mark.both_databases
def test_an_admin_imports_a_files_change_from_the_bank_files_page(site, new_page, axe_check):
    path = site.folder / "test-bank.yaml"
    path.write_text(path.read_text("utf-8").replace("difficulty: 1", "difficulty: 2", 1), "utf-8")
    page = admin_page(new_page, site)
    page.goto(site.base + "/admin/files")
    expect(page.get_by_role("row", name="test-bank")).to_contain_text(
        "changed in the file, not yet imported"
    )
    page.get_by_role("link", name="Review and import the files' changes").click()
    expect(page.locator(".plan-diff").first).to_contain_text("test-bank/q1")
    axe_check(page, "import-files")
    page.get_by_role("button", name="Import these changes").click()
    expect(page.locator(".flash-success")).to_contain_text("1 changed")
    expect(page.get_by_role("row", name="test-bank")).to_contain_text("in sync")
