"""Bank files in and out through the editor: upload with a confirmed plan, and downloads.

An upload is checked like ``flask quiz check`` and only shown as a plan;
the confirmation applies it, all or nothing, if the banks have not changed
since. A download is byte for byte what ``flask quiz export`` writes.
"""

from __future__ import annotations

import base64
import html
import io
import json
import random
import re
import string
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from quizapp.admin.transfer import pack_files, unpack_files
from quizapp.errors import readable_size
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Question, QuestionVersion
from tests.conftest import SEEDS, dump, make_bank, make_question
from tests.web.classroom_client import Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import hidden

OTHER_QUOTE = "学术界、商界、行政部门以及AI教授都很担心"
CONFIRM = "/admin/upload/confirm"


def make_numbered(number: int, **overrides) -> dict:
    """Question ``q<number>``, the same as :func:`make_question` but for its id and prompt."""
    prompt = {"zh": f"第{number}题:饼干怎么了?", "en": f"Question {number}: the cookie?"}
    return make_question(id=f"q{number}", prompt=prompt, **overrides)


def shelved_bank() -> dict:
    """``test-bank`` as the database holds it at the start of every test."""
    return make_bank("test-bank", [make_numbered(1), make_numbered(2), make_numbered(3)])


def edited_bank() -> dict:
    """``test-bank`` with q1 changed, q2 as it was, q3 gone and q4 new."""
    changed = make_numbered(1, difficulty=2)
    return make_bank("test-bank", [changed, make_numbered(2), make_numbered(4)])


def new_bank() -> dict:
    return make_bank("new-bank", [make_question(id="m1")])


def raw(document: dict) -> bytes:
    return dump(document).encode("utf-8")


@dataclass
class Desk:
    """The editor with ``test-bank`` imported by the CLI and a logged-in admin."""

    app: object
    admin: Teacher

    def upload(self, *files: tuple[str, bytes]):
        """Choose ``files`` (name, bytes) and press "Check the files"."""
        token = hidden(self.admin.text("/admin/upload"), "csrf_token")
        data = {"csrf_token": token, "files": [(io.BytesIO(body), name) for name, body in files]}
        return self.admin.post("/admin/upload", data)

    def state(self) -> tuple:
        """Everything an import could change."""
        with self.app.app_context():
            return (
                db.session.execute(
                    select(Bank.slug, Bank.status, Bank.revision).order_by(Bank.id)
                ).all(),
                db.session.execute(
                    select(Question.key, Question.current_version_id).order_by(Question.id)
                ).all(),
                db.session.scalar(select(func.count()).select_from(QuestionVersion)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)),
            )


@pytest.fixture
def desk(app, runner, write_bank) -> Desk:
    path = write_bank(shelved_bank(), "test-bank.yaml")
    result = runner.invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 0, result.output
    return Desk(app, Teacher.quick(app, "ada", "admin"))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def plan(page: str) -> dict[str, str]:
    """The plan's lines: label → what follows it (counts and question ids)."""
    found = {}
    start = page.index('aria-labelledby="plan-heading"')
    for item in re.findall(r"<li>(.*?)</li>", page[start : page.index("</section>", start)], re.S):
        label, _, rest = re.sub(r"<[^>]+>", "", item).strip().partition(":")
        found[label] = " ".join(rest.split())
    return found


def problems_shown(page: str) -> list[str]:
    return [html.unescape(line) for line in re.findall(r"<li><code>(.*?)</code></li>", page)]


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', page)]


def check_lines(runner, folder: Path, name: str, body: bytes) -> list[str]:
    """The problems ``flask quiz check`` reports for ``body`` saved as ``name``, named so."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(body)
    result = runner.invoke(args=["quiz", "check", str(path)])
    assert result.exit_code == 1
    return [
        line.replace(str(path), name, 1)
        for line in result.output.splitlines()
        if line.startswith(str(path))
    ]


# The plan, then the import


def test_an_uploaded_file_is_shown_as_a_plan_and_nothing_is_written(desk):
    before = desk.state()
    response = desk.upload(("test-bank.yaml", raw(edited_bank())))
    assert response.status_code == 200
    shown = plan(text_of(response))
    assert shown["Added"] == "1 test-bank/q4"
    assert shown["Changed"] == "1 test-bank/q1"
    assert shown["Retired"] == "1 test-bank/q3"
    assert shown["Unchanged"] == "1"
    assert 'action="/admin/upload/confirm"' in text_of(response)
    assert desk.state() == before


def test_several_uploaded_files_are_shown_as_one_plan(desk):
    before = desk.state()
    response = desk.upload(
        ("test-bank.yaml", raw(edited_bank())), ("new-bank.yaml", raw(new_bank()))
    )
    page = text_of(response)
    shown = plan(page)
    assert shown["Added"] == "2 test-bank/q4, new-bank/m1"
    assert shown["New banks"] == "new-bank"
    assert "What importing test-bank.yaml, new-bank.yaml will do" in page
    assert desk.state() == before


def test_confirming_the_plan_imports_every_file(desk):
    page = text_of(
        desk.upload(("test-bank.yaml", raw(edited_bank())), ("new-bank.yaml", raw(new_bank())))
    )
    response = desk.admin.post(CONFIRM, form_fields(page, CONFIRM))
    assert response.headers["Location"] == "/admin/"
    assert "Imported: 2 added, 1 changed, 1 retired, 1 unchanged." in flashes(
        desk.admin.text("/admin/")
    )
    with desk.app.app_context():
        questions = {
            (q.bank.slug, q.key): q.current_version for q in db.session.scalars(select(Question))
        }
        assert set(questions) == {
            ("test-bank", "q1"),
            ("test-bank", "q2"),
            ("test-bank", "q3"),
            ("test-bank", "q4"),
            ("new-bank", "m1"),
        }
        assert questions[("test-bank", "q1")].content["difficulty"] == 2
        assert questions[("test-bank", "q3")].status == "retired"
        assert questions[("test-bank", "q2")].number == 1
        uploaded = questions[("new-bank", "m1")]
        assert (uploaded.origin, uploaded.author.name) == ("upload", "ada")


def test_the_audit_log_shows_the_upload_with_its_counts(desk):
    page = text_of(desk.upload(("test-bank.yaml", raw(edited_bank()))))
    desk.admin.post(CONFIRM, form_fields(page, CONFIRM))
    audit = desk.admin.text("/admin/audit")
    rows = re.findall(r"<tr>(.*?)</tr>", audit[audit.index("<tbody>") :], re.S)
    newest, first = (" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows)
    assert "ada bank files imported" in newest and "1 added, 1 changed, 1 retired" in newest
    assert "command line bank files imported" in first and "3 added" in first


# All or nothing: problems in any file


#: Bank files with one mistake each, and what the report says about it.
BAD_FILES = {
    "a YAML syntax error": b"bank: broken\ntitle: {zh: \xe5\x9d\x8f, en: Broken\nquestions: []\n",
    "a quote not in its source": raw(
        make_bank("broken", [make_question(source={"doc": "huanqiu-2024-02", "exact": "无此句"})])
    ),
    "a duplicate question id": raw(make_bank("broken", [make_question(), make_question()])),
}
REPORTED = {
    "a YAML syntax error": ": YAML syntax error: ",
    "a quote not in its source": ": questions[0].source.exact: in huanqiu-2024-02: quote not found",
    "a duplicate question id": ": questions[1].id: duplicate question id 'q1'",
}


@pytest.mark.parametrize("mistake", list(BAD_FILES))
def test_a_file_with_a_problem_is_reported_like_check_does_and_nothing_is_imported(
    desk, runner, bank_dir, mistake
):
    before = desk.state()
    response = desk.upload(("test-bank.yaml", raw(edited_bank())), ("bad.yaml", BAD_FILES[mistake]))
    assert response.status_code == 422
    page = text_of(response)
    expected = check_lines(runner, bank_dir / "check", "bad.yaml", BAD_FILES[mistake])
    assert expected and problems_shown(page) == expected
    (line,) = expected
    assert re.match(r"bad\.yaml:\d+:\d+: ", line) and REPORTED[mistake] in line
    assert CONFIRM not in page
    assert desk.state() == before


def test_a_confirmation_carrying_a_bad_file_imports_none_of_the_good_ones(desk):
    before = desk.state()
    page = text_of(desk.upload(("test-bank.yaml", raw(edited_bank()))))
    fields = form_fields(page, CONFIRM)
    files = unpack_files(fields["files"], desk.app.config["QUIZ_MAX_BANK_BYTES"])
    files.append(("bad.yaml", BAD_FILES["a duplicate question id"]))
    fields["files"] = pack_files(files)
    response = desk.admin.post(CONFIRM, fields)
    assert response.status_code == 422
    assert any("duplicate question id 'q1'" in line for line in problems_shown(text_of(response)))
    assert desk.state() == before


def deflated(payload: bytes) -> str:
    """``payload`` deflated in URL-safe base64, as the plan page packs its files' JSON."""
    return base64.urlsafe_b64encode(zlib.compress(payload)).decode("ascii")


#: Confirmations carrying something else than the files the plan page packed.
#: The first was a 500 (a RecursionError in the JSON parser).
MALFORMED_CONFIRMATIONS = {
    "lists nested 100,000 deep": lambda: "[" * 100_000,
    "the files as JSON": lambda: json.dumps({"test-bank.yaml": raw(edited_bank()).decode()}),
    "not deflated": lambda: base64.urlsafe_b64encode(b'[["a.yaml", "bank: x"]]').decode(),
    "bytes after the files": lambda: deflated(b'[["a.yaml", "bank: x"]]') + "AAAA",
    "a mapping": lambda: deflated(b'{"test-bank.yaml": "bank: x"}'),
    "no files": lambda: deflated(b"[]"),
    "three parts to a file": lambda: deflated(b'[["a.yaml", "bank: x", "more"]]'),
    "a number for a file": lambda: deflated(b'[["a.yaml", 1]]'),
    "JSON nested 100,000 deep": lambda: deflated(b"[" * 100_000 + b"]" * 100_000),
    "text that cannot be UTF-8": lambda: deflated(b'[["a.yaml", "\\ud800"]]'),
    "21 files": lambda: deflated(
        json.dumps([[f"{i}.yaml", "bank: x"] for i in range(21)]).encode()
    ),
    # 2 MB of text inflated from 2 kB: more than 20 files of the (lowered) size limit hold.
    "a deflate bomb": lambda: deflated(b'[["a.yaml", "' + b"x" * 2_000_000 + b'"]]'),
}


@pytest.mark.parametrize("kind", list(MALFORMED_CONFIRMATIONS))
def test_a_confirmation_carrying_anything_but_the_packed_files_is_refused(desk, kind):
    desk.app.config["QUIZ_MAX_BANK_BYTES"] = 25_000  # above every seed file
    page = text_of(desk.upload(("test-bank.yaml", raw(edited_bank()))))
    fields = form_fields(page, CONFIRM)
    before = desk.state()
    response = desk.admin.post(CONFIRM, {**fields, "files": MALFORMED_CONFIRMATIONS[kind]()})
    assert response.status_code == 400
    assert desk.state() == before


def test_a_confirmation_is_smaller_than_the_upload_it_confirms(desk):
    # Sent back as JSON in a hidden field, percent-encoded, Chinese text came
    # back 1.9 times larger: the confirmation of 4.2 MB of files got a 413.
    comment = "# " + "生成视频的模型还可能混淆提示的空间细节,例如混淆左右。" * 20 + "\n"
    body = raw(edited_bank()) + comment.encode() * 200
    desk.app.config["MAX_CONTENT_LENGTH"] = len(body) + 2_000
    page = text_of(desk.upload(("test-bank.yaml", body)))
    fields = form_fields(page, CONFIRM)
    assert len(urlencode(fields)) < len(body) / 10
    response = desk.admin.post(CONFIRM, fields)
    assert response.status_code == 302
    again = text_of(desk.upload(("test-bank.yaml", body)))
    assert "These files match the banks exactly: there is nothing to import." in again


def test_files_too_large_to_confirm_are_refused_at_the_check(desk):
    rng = random.Random(20)
    noise = "".join(
        rng.choice(string.ascii_letters + string.digits + string.punctuation) for _ in range(50_000)
    )
    body = raw(edited_bank()) + f"# {noise}\n".encode()
    # The upload fits; its confirmation could not (random letters do not deflate).
    desk.app.config["MAX_CONTENT_LENGTH"] = len(body) + 2_000
    before = desk.state()
    response = desk.upload(("test-bank.yaml", body))
    assert response.status_code == 422
    page = text_of(response)
    assert "These files are too large to confirm in one upload" in html.unescape(page)
    assert CONFIRM not in page
    assert desk.state() == before


def test_an_upload_whose_files_together_are_too_much_to_check_is_refused(desk):
    # Each file is within the bank limit; together they pass the upload's.
    body = raw(edited_bank())
    desk.app.config["QUIZ_MAX_UPLOAD_TOTAL_BYTES"] = len(body) + 100
    before = desk.state()
    response = desk.upload(("one.yaml", body), ("two.yaml", raw(shelved_bank())))
    assert response.status_code == 422
    assert "can be checked at once" in html.unescape(text_of(response))
    assert CONFIRM not in text_of(response)
    assert desk.state() == before


def test_the_same_bank_id_in_two_files_is_refused(desk):
    before = desk.state()
    response = desk.upload(("first.yaml", raw(edited_bank())), ("second.yaml", raw(shelved_bank())))
    assert response.status_code == 422
    (problem,) = problems_shown(text_of(response))
    assert re.fullmatch(
        r"second\.yaml:1:1: bank: duplicate bank id 'test-bank' \(also in first\.yaml:1\)",
        problem,
    )
    assert desk.state() == before


# Files that are too big, unsafe, or not bank files at all


def test_a_file_over_the_bank_size_limit_is_refused(desk):
    # The limit holds each seed file too (README): stay just above the largest.
    limit = max(path.stat().st_size for path in SEEDS.iterdir()) + 100
    desk.app.config["QUIZ_MAX_BANK_BYTES"] = limit
    body = raw(edited_bank()) + b"# " + b"x" * limit + b"\n"
    before = desk.state()
    response = desk.upload(("test-bank.yaml", body))
    assert response.status_code == 422
    assert problems_shown(text_of(response)) == [
        f"test-bank.yaml:1:1: file is larger than the limit of {limit:,} bytes"
    ]
    assert desk.state() == before


def test_a_request_over_the_upload_limit_is_refused_before_it_is_read(desk):
    desk.app.config["MAX_CONTENT_LENGTH"] = 4_000
    before = desk.state()
    response = desk.upload(("test-bank.yaml", raw(edited_bank()) + b"#" * 5_000))
    assert response.status_code == 413
    # The page says how much the server takes (a body over 500 KB would be
    # spooled by the test client to a file it leaves open: sizes in MiB
    # are checked on the function itself).
    assert "larger than the server accepts (at most 3.9 KiB)" in text_of(response)
    assert desk.state() == before
    with desk.app.test_request_context():
        assert readable_size(3 * 1024 * 1024) == "3 MiB"
        assert readable_size(8 * 1024 * 1024 + 512 * 1024) == "8.5 MiB"


UNSAFE_FILES = {
    "a python tag": (
        b"bank: !!python/object/apply:os.system ['touch pwned']\n"
        b"title: {zh: a, en: b}\ndescription: {zh: a, en: b}\nquestions: []\n",
        "bad.yaml:1:7: unsupported value: ",
    ),
    "a python object": (
        b"bank: test\ntitle: !!python/object:builtins.dict {zh: a, en: b}\n"
        b"description: {zh: a, en: b}\nquestions: []\n",
        "bad.yaml:2:8: unsupported value: the tag 'tag:yaml.org,2002:python/object:builtins.dict'",
    ),
    "an alias": (
        b"bank: test\ntitle: &t {zh: a, en: b}\ndescription: *t\nquestions: []\n",
        "bad.yaml:3:14: aliases (*t) are not allowed in this file; write the value out",
    ),
    "text that is not UTF-8": (
        "bank: test\ntitle: {zh: 测试, en: b}\n".encode("gbk"),
        "bad.yaml:2:13: not valid UTF-8 (byte 0x",
    ),
    # Both were a 500: a RecursionError, then Python's limit on converting long integers.
    "lists nested 900 deep": (
        b"bank: test\ntitle: " + b"[" * 900 + b"]" * 900 + b"\n",
        "bad.yaml:2:39: nested more than 32 levels deep",
    ),
    "a 5,000-digit integer": (
        b"bank: test\ntitle: {zh: a, en: b}\ndescription: {zh: a, en: b}\nquestions: []\n"
        b"base: {revision: " + b"1" * 5_000 + b", bank_uid: x}\n",
        "bad.yaml:5:18: a number of 5,000 characters; the limit is 100",
    ),
}


@pytest.mark.parametrize("kind", list(UNSAFE_FILES))
def test_an_unsafe_or_undecodable_file_is_refused(desk, tmp_path, kind):
    body, expected = UNSAFE_FILES[kind]
    before = desk.state()
    response = desk.upload(("bad.yaml", body))
    assert response.status_code == 422
    (problem,) = problems_shown(text_of(response))
    assert problem.startswith(expected), problem
    assert desk.state() == before
    assert not (Path.cwd() / "pwned").exists()


def test_a_file_that_is_not_yaml_is_refused_next_to_the_files_field(desk):
    before = desk.state()
    response = desk.upload(("test-bank.txt", raw(edited_bank())))
    assert response.status_code == 422
    page = text_of(response)
    assert '<p class="field-error" id="files-error-1">Only .yaml, .yml or .zip files.</p>' in page
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="files"[^>]*>', page).group(0)
    assert desk.state() == before


# The plan confirmed must be the plan applied


def test_confirming_after_someone_changed_the_bank_shows_the_new_plan_and_imports_nothing(
    desk,
):
    page = text_of(desk.upload(("test-bank.yaml", raw(edited_bank()))))
    confirm = form_fields(page, CONFIRM)
    # Meanwhile another admin edits q2 in the browser.
    rival = Teacher.quick(desk.app, "bob", "admin")
    with desk.app.app_context():
        q2 = db.session.scalar(select(Question.id).filter_by(key="q2"))
    editor = form_fields(rival.text(f"/admin/questions/{q2}/edit"), "editor")
    saved = rival.post(
        f"/admin/questions/{q2}/edit", {**editor, "difficulty": "3", "action": "save"}
    )
    assert saved.status_code == 302
    before = desk.state()
    response = desk.admin.post(CONFIRM, confirm)
    assert response.status_code == 409
    page = text_of(response)
    assert "The banks changed since you checked these files." in " ".join(flashes(page))
    # The file's q2 is its base's: the browser's edit of it stands.
    shown = plan(page)
    assert shown["Changed"] == "1 test-bank/q1"
    assert shown["Edited in the database since this file's base, kept as they are"] == (
        "1 test-bank/q2"
    )
    assert form_fields(page, CONFIRM)["plan"] != confirm["plan"]
    assert desk.state() == before


# Downloads are what `flask quiz export` writes


@pytest.fixture
def edited(desk) -> Desk:
    """The desk after an edit in the browser and a second bank, retired, from an upload."""
    retired = make_bank("new-bank", [make_question(id="m1")], status="retired")
    page = text_of(desk.upload(("new-bank.yaml", raw(retired))))
    assert desk.admin.post(CONFIRM, form_fields(page, CONFIRM)).status_code == 302
    with desk.app.app_context():
        q1 = db.session.scalar(select(Question.id).filter_by(key="q1"))
    editor = form_fields(desk.admin.text(f"/admin/questions/{q1}/edit"), "editor")
    changes = {"prompt_en": "Edited in the browser\nover two lines", "status": "draft"}
    response = desk.admin.post(
        f"/admin/questions/{q1}/edit", {**editor, **changes, "action": "save"}
    )
    assert response.status_code == 302
    return desk


def exported(runner, folder: Path, *args: str) -> dict[str, bytes]:
    """The files ``flask quiz export`` writes into the empty ``folder``."""
    assert not folder.exists()
    result = runner.invoke(args=["quiz", "export", str(folder), *args])
    assert result.exit_code == 0, result.output
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def zipped(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_of_all_banks_holds_exactly_what_export_writes(edited, runner, tmp_path):
    files = zipped(edited.admin.get("/admin/banks.zip"))
    assert set(files) == {"test-bank.yaml", "new-bank.yaml"}
    assert files == exported(runner, tmp_path / "export")
    assert b"Edited in the browser" in files["test-bank.yaml"]
    assert b"status: retired" in files["new-bank.yaml"]


def test_one_banks_download_is_the_file_export_writes_for_it(edited, runner, tmp_path):
    response = edited.admin.get("/admin/banks/test-bank.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-bank.yaml"'
    assert exported(runner, tmp_path / "export", "--bank", "test-bank") == {
        "test-bank.yaml": response.data
    }


def test_a_download_of_an_unknown_bank_is_not_found(desk):
    assert desk.admin.get("/admin/banks/nope.yaml").status_code == 404


def test_downloaded_files_pass_check_and_upload_again_as_nothing_to_import(
    edited, runner, tmp_path
):
    files = zipped(edited.admin.get("/admin/banks.zip"))
    folder = tmp_path / "downloaded"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_bytes(body)
    checked = runner.invoke(args=["quiz", "check", str(folder)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip().endswith(": 0 problem(s)")
    before = edited.state()
    response = edited.upload(*files.items())
    assert response.status_code == 200
    page = text_of(response)
    assert "These files match the banks exactly: there is nothing to import." in page
    assert CONFIRM not in page
    shown = plan(page)
    assert (shown["Added"], shown["Changed"], shown["Retired"]) == ("0", "0", "0")
    assert shown["Unchanged"] == "4"
    assert edited.state() == before
