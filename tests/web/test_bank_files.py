"""The editor and the bank files: stale uploads, the zip round trip, the Files page, write-back.

The app's questions folder is a folder of the test's own, so that writing
back can be checked in it.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from tests.conftest import dump, make_bank, make_question
from tests.web.classroom_client import Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import hidden
from tests.web.test_admin_transfer import CONFIRM, flashes, plan, text_of

OLD = "What happened to the cookie?"


class Site:
    """The app on a questions folder with one bank, imported; an admin and a teacher."""

    def __init__(self, app, folder):
        self.app, self.folder = app, folder
        self.admin = Teacher.quick(app, "ada", "admin")
        self.teacher = Teacher.quick(app, "tom", "teacher")

    def upload(self, name: str, body: bytes):
        token = hidden(self.admin.text("/admin/upload"), "csrf_token")
        return self.admin.post(
            "/admin/upload", {"csrf_token": token, "files": [(io.BytesIO(body), name)]}
        )

    def edit(self, key: str, **changes) -> None:
        """Save question ``key`` in the editor with ``changes`` to its form."""
        with self.app.app_context():
            number = db.session.scalar(select(Question.id).filter_by(key=key))
        fields = form_fields(self.admin.text(f"/admin/questions/{number}/edit"), "editor")
        response = self.admin.post(
            f"/admin/questions/{number}/edit", {**fields, **changes, "action": "save"}
        )
        assert response.status_code == 302, text_of(response)

    def content(self, key: str) -> dict:
        with self.app.app_context():
            return db.session.scalar(select(Question).filter_by(key=key)).current_version.content


@pytest.fixture
def site(folder_app) -> Site:
    return Site(*folder_app)


def test_a_stale_upload_is_shown_as_a_conflict_with_both_values_and_a_choice(site):
    download = site.admin.get("/admin/banks/test-bank.yaml").get_data()
    site.edit("q1", prompt_en="What is wrong with the cookie?")  # Bob, meanwhile
    alices = download.replace(OLD.encode(), b"What became of the cookie?")
    response = site.upload("test-bank.yaml", alices)
    page = text_of(response)
    assert "1 conflict: changed in the file and in the database" in page
    # Both values, the file's marked where it differs from the database's.
    assert (
        "<td>What is wrong with the cookie?</td>"
        "<td><span>What </span><del>is wrong with</del><ins>became of</ins>"
    ) in page
    # Or leave with nothing imported: the link goes back to the banks.
    assert '<a class="button" href="/admin/">Import nothing</a>' in page
    confirm = form_fields(page, CONFIRM)
    # Confirming without choosing imports nothing.
    refused = site.admin.post(CONFIRM, confirm)
    assert refused.status_code == 409
    assert site.content("q1")["prompt"]["en"] == "What is wrong with the cookie?"
    # Choosing the file's version applies it.
    chosen = site.admin.post(CONFIRM, {**confirm, "prefer": "file"})
    assert chosen.status_code == 302
    assert site.content("q1")["prompt"]["en"] == "What became of the cookie?"


def test_the_upload_plan_shows_each_change_and_lists_retirements_first(site):
    edited = make_bank(questions=[make_question(difficulty=2)])
    page = text_of(site.upload("test-bank.yaml", dump(edited).encode()))
    assert page.index("1 question will be retired") < page.index("Added: 0")
    assert "<code>test-bank/q2</code>" in page
    assert "<dt>Difficulty</dt>\n      <dd><del>1</del><ins>2</ins></dd>" in page


def test_the_downloaded_zip_uploads_back_as_a_whole(site):
    site.edit("q2", difficulty="3")
    archive = site.admin.get("/admin/banks.zip").get_data()
    page = text_of(site.upload("banks.zip", archive))
    assert "These files match the banks exactly: there is nothing to import." in page
    # Edited inside the zip, it plans the edit, and imports it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            out.writestr(info, source.read(info).replace(OLD.encode(), b"Changed in the zip?", 1))
    page = text_of(site.upload("banks.zip", buffer.getvalue()))
    assert plan(page)["Changed"] == "1 test-bank/q1"
    assert site.admin.post(CONFIRM, form_fields(page, CONFIRM)).status_code == 302
    assert site.content("q1")["prompt"]["en"] == "Changed in the zip?"
    assert site.content("q2")["difficulty"] == 3


def test_a_zip_that_is_not_one_is_refused_next_to_the_field(site):
    response = site.upload("banks.zip", b"not a zip at all")
    assert response.status_code == 422
    assert "banks.zip is not a zip file that can be read." in text_of(response)


def test_the_files_page_and_flask_quiz_status_agree(site):
    site.edit("q1", difficulty="2")
    page = site.teacher.text("/admin/files")
    assert "changed in the editor, not yet in the file" in page
    assert "<code>test-bank/q1</code>" in page
    status = site.app.test_cli_runner().invoke(args=["quiz", "status"])
    assert "test-bank: changed in database\n  changed in database: test-bank/q1\n" in status.output
    index = site.admin.text("/admin/")
    assert "Bank files (1 change not in the files)" in index


def test_an_admin_writes_back_after_reading_the_diff(site):
    site.edit("q1", difficulty="2")
    page = site.admin.text("/admin/files/write-back")
    assert "<del>-  difficulty: 1</del>" in page and "<ins>+  difficulty: 2</ins>" in page
    confirm = form_fields(page, "/admin/files/write-back")
    # The file changed on disk in between: refused, the new diff shown.
    path = site.folder / "test-bank.yaml"
    original = path.read_text("utf-8")
    path.write_text(original + "\n", "utf-8")
    stale = site.admin.post("/admin/files/write-back", confirm)
    assert "changed since you looked" in text_of(stale)
    assert path.read_text("utf-8") == original + "\n"
    confirm = form_fields(text_of(stale), "/admin/files/write-back")
    written = site.admin.post("/admin/files/write-back", confirm)
    assert written.status_code == 302
    assert "  difficulty: 2\n" in path.read_text("utf-8")
    status = site.app.test_cli_runner().invoke(args=["quiz", "status"])
    assert status.exit_code == 0, status.output


def test_a_teacher_cannot_write_back(site):
    site.edit("q1", difficulty="2")
    assert site.teacher.get("/admin/files/write-back").status_code == 403


def test_a_bank_page_names_its_questions_not_yet_in_the_file(site):
    page = site.teacher.text("/admin/banks/test-bank")
    assert "Every change is in the file." in page
    site.edit("q2", difficulty="2")
    page = site.teacher.text("/admin/banks/test-bank")
    assert "1 question changed in the editor since the file was last written:" in page
    assert ">q2</a>" in page


def test_an_admin_imports_the_files_changes_after_reading_the_plan_then_writes_back(site):
    site.edit("q2", difficulty="3")  # in the editor
    path = site.folder / "test-bank.yaml"
    path.write_text(path.read_text("utf-8").replace(OLD, "Changed in the file?", 1), "utf-8")
    page = site.admin.text("/admin/files")
    assert "Changed in the files, not yet imported: test-bank." in page
    assert "their files changed too, so they cannot be written back yet: test-bank." in page
    assert "Every change made in the editor is in the files." not in page
    plan_page = site.admin.text("/admin/files/import")
    assert plan(plan_page)["Changed"] == "1 test-bank/q1"
    imported = site.admin.post("/admin/files/import", form_fields(plan_page, "/admin/files/import"))
    assert imported.status_code == 302
    assert site.content("q1")["prompt"]["en"] == "Changed in the file?"
    assert site.content("q2")["difficulty"] == 3
    # The file is the base now: only the editor's change is left to write back.
    status = site.app.test_cli_runner().invoke(args=["quiz", "status"])
    assert "test-bank: changed in database\n  changed in database: test-bank/q2\n" in status.output


def test_importing_the_files_in_conflict_needs_the_admins_choice(site):
    site.edit("q1", prompt_en="What is wrong with the cookie?")
    path = site.folder / "test-bank.yaml"
    path.write_text(path.read_text("utf-8").replace(OLD, "Changed in the file?", 1), "utf-8")
    files = site.admin.text("/admin/files")
    # Start-up leaves a bank in conflict alone: the page does not promise otherwise.
    assert "In conflict: test-bank. The app leaves these banks as they are" in files
    assert "not yet imported: test-bank" not in files
    plan_page = site.admin.text("/admin/files/import")
    assert "1 conflict: changed in the file and in the database" in plan_page
    assert '<a class="button" href="/admin/files">Import nothing</a>' in plan_page
    confirm = form_fields(plan_page, "/admin/files/import")
    refused = site.admin.post("/admin/files/import", confirm)
    assert "Choose whose change wins" in text_of(refused)
    assert site.content("q1")["prompt"]["en"] == "What is wrong with the cookie?"
    kept = site.admin.post("/admin/files/import", {**confirm, "prefer": "database"})
    assert kept.status_code == 302
    assert flashes(site.admin.text(kept.location))[-1].endswith(
        "1 question changed in the editor since the file's base was kept as it is."
    )
    assert site.content("q1")["prompt"]["en"] == "What is wrong with the cookie?"
    status = site.app.test_cli_runner().invoke(args=["quiz", "status"])
    assert "test-bank: changed in database" in status.output  # to be written back


def test_the_audit_log_names_the_banks_an_upload_imported_and_what_it_kept(site):
    download = site.admin.get("/admin/banks/test-bank.yaml").get_data()
    site.edit("q2", difficulty="3")
    page = text_of(site.upload("test-bank.yaml", download.replace(OLD.encode(), b"Why?", 1)))
    assert site.admin.post(CONFIRM, form_fields(page, CONFIRM)).status_code == 302
    log = site.admin.text("/admin/audit")
    assert "test-bank · 0 added, 1 changed, 0 retired · 1 kept as edited" in log


def test_the_sync_pages_use_chinese_punctuation_in_chinese(site):
    site.edit("q1", prompt_en="What is wrong with the cookie?")
    path = site.folder / "test-bank.yaml"
    path.write_text(path.read_text("utf-8").replace(OLD, "Changed in the file?", 1), "utf-8")
    zh = {"Accept-Language": "zh"}
    index = site.admin.get("/admin/", headers=zh).get_data(as_text=True)
    assert "题库文件（1 处修改尚未写入文件）" in index
    files = site.admin.get("/admin/files", headers=zh).get_data(as_text=True)
    assert "<strong>冲突：</strong><code>test-bank/q1</code>" in files
    plan_page = site.admin.get("/admin/files/import", headers=zh).get_data(as_text=True)
    assert "题干（英文）" in plan_page and "题干 (" not in plan_page
    assert "未改动：" in plan_page and "未改动: " not in plan_page
