"""The bank files and the editor as one source of truth, from the command line.

A questions folder of its own per test; browser edits are made through the
same services the editor calls. ``flask quiz import --startup`` is what
``tasks.py run`` and ``serve`` run on every start.
"""

from __future__ import annotations

import difflib
import re
import shutil

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question
from quizapp.services.versions import create_question, save_question
from tests.conftest import QUESTIONS, database_url, dump, make_bank, make_question
from tests.services.editing import admin, make_admin, make_spec

NEW_PROMPT = {"zh": "饼干上少了什么?", "en": "What is missing from the cookie?"}
OTHER_PROMPT = {"zh": "饼干有什么问题?", "en": "What is wrong with the cookie?"}


@pytest.fixture
def folder(tmp_path):
    """A questions folder of this test's own, with the shipped folder's shared files."""
    path = tmp_path / "questions"
    path.mkdir()
    for extra in QUESTIONS.glob("_*.yaml"):  # the folder's shared files (the tag vocabulary)
        shutil.copy(extra, path / extra.name)
    return path


@pytest.fixture
def site(app_factory, tmp_path, folder):
    application = app_factory(database_url(tmp_path), QUIZ_QUESTIONS_DIR=folder)
    with application.app_context():
        db.drop_all()
        db.create_all()
        make_admin()
    runner = application.test_cli_runner()
    write(folder, [make_question(), make_question(id="q2"), make_question(id="q3")])
    result = runner.invoke(args=["quiz", "import"])
    assert result.exit_code == 0, result.output
    # From now on the file is exactly what a write-back would write.
    write_back = runner.invoke(args=["quiz", "export"])
    assert write_back.exit_code == 0, write_back.output
    return application


def write(folder, questions, **bank) -> None:
    (folder / "bank.yaml").write_text(dump(make_bank(questions=questions, **bank)), "utf-8")


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def browser_edits(app, catalog) -> None:
    """An admin edits q1 and q2 and adds six questions in the editor."""
    with app.app_context():
        bank = db.session.scalar(select(Bank))
        for key, overrides in (("q1", {"prompt": NEW_PROMPT}), ("q2", {"difficulty": 3})):
            question = db.session.scalar(select(Question).filter_by(key=key))
            spec = make_spec(catalog, id=key, **overrides)
            save_question(question, spec, catalog, admin(), question.current_version_id)
        for number in range(4, 10):
            create_question(bank, make_spec(catalog, id=f"q{number}"), catalog, admin())
        db.session.commit()


def snapshot(app) -> dict:
    with app.app_context():
        return {
            q.key: (q.current_version.number, q.current_version.status)
            for q in db.session.scalars(select(Question))
        }


def test_browser_edits_survive_any_number_of_start_ups(site, catalog):
    browser_edits(site, catalog)
    before = snapshot(site)
    for _ in range(3):
        result = invoke(site, "quiz", "import", "--startup")
        assert result.exit_code == 0, result.output
        assert result.output.count("\n") == 1
        assert result.output.startswith("start-up import: 0 added, 0 changed, 0 retired")
        assert "8 kept as edited in the database" in result.output
    assert snapshot(site) == before


def test_a_start_up_skips_a_conflict_says_so_in_one_line_and_still_succeeds(site, catalog, folder):
    browser_edits(site, catalog)
    write(
        folder, [make_question(prompt=OTHER_PROMPT), make_question(id="q2"), make_question(id="q3")]
    )
    before = snapshot(site)
    result = invoke(site, "quiz", "import", "--startup")
    assert result.exit_code == 0
    assert "left as they are (conflict): test-bank -- see 'flask quiz status'" in result.output
    assert snapshot(site) == before


def test_a_start_up_with_invalid_files_imports_nothing_and_still_succeeds(site, folder):
    (folder / "bank.yaml").write_text("bank: [", encoding="utf-8")
    result = invoke(site, "quiz", "import", "--startup")
    assert result.exit_code == 0
    assert "start-up import skipped: 1 problem(s) in the files" in result.output


def test_a_conflicting_import_names_question_field_and_values_and_imports_nothing(
    site, catalog, folder
):
    browser_edits(site, catalog)
    write(
        folder, [make_question(prompt=OTHER_PROMPT), make_question(id="q2"), make_question(id="q3")]
    )
    before = snapshot(site)
    result = invoke(site, "quiz", "import")
    assert result.exit_code == 1
    assert "conflict: test-bank/q1 changed in the files and in the database:" in result.output
    assert (
        f"  prompt (en): database {NEW_PROMPT['en']!r} | file {OTHER_PROMPT['en']!r}"
        in result.output
    )
    assert "nothing imported: 1 conflict(s)" in result.output
    assert snapshot(site) == before
    chosen = invoke(site, "quiz", "import", "--prefer", "file")
    assert chosen.exit_code == 0, chosen.output
    with site.app_context():
        q1 = db.session.scalar(select(Question).filter_by(key="q1"))
        assert q1.current_version.content["prompt"] == OTHER_PROMPT


def test_status_says_what_is_out_of_sync_on_which_side(site, catalog, folder):
    result = invoke(site, "quiz", "status")
    assert (result.exit_code, result.output) == (
        0,
        "test-bank: in sync\n1 bank(s): 0 out of sync\n",
    )
    browser_edits(site, catalog)
    result = invoke(site, "quiz", "status")
    assert result.exit_code == 1
    assert "test-bank: changed in database" in result.output
    assert "  changed in database: test-bank/q1" in result.output
    assert "  changed in database: test-bank/q9" in result.output
    write(
        folder,
        [
            make_question(prompt=OTHER_PROMPT),
            make_question(id="q2"),
            make_question(id="q3", difficulty=2),
        ],
    )
    result = invoke(site, "quiz", "status")
    assert "test-bank: conflict" in result.output
    assert "  conflict: test-bank/q1" in result.output
    assert "  changed in files: test-bank/q3" in result.output


def test_writing_back_changes_only_the_edited_questions_in_the_file(site, catalog, folder):
    before = (folder / "bank.yaml").read_text(encoding="utf-8")
    browser_edits(site, catalog)
    result = invoke(site, "quiz", "export")
    assert result.exit_code == 0, result.output
    assert "wrote back 1 bank(s); 0 refused" in result.output
    after = (folder / "bank.yaml").read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line for line in changed if line.startswith("-")]
    # q1's prompt (two languages) and q2's difficulty; the rest only added (q4-q9).
    assert sorted(removed) == sorted(
        ["-  difficulty: 1", "-    zh: 饼干怎么了?", "-    en: What happened to the cookie?"]
    )
    assert "base:" not in after
    assert sum(line.startswith("+- id: q") for line in changed) == 6
    assert invoke(site, "quiz", "status").exit_code == 0
    # And the next start-up has nothing to do.
    startup = invoke(site, "quiz", "import", "--startup")
    assert "0 added, 0 changed, 0 retired, 9 unchanged, 0 kept" in startup.output


def test_writing_back_refuses_a_bank_whose_file_changed_too(site, catalog, folder):
    browser_edits(site, catalog)
    write(folder, [make_question(), make_question(id="q2"), make_question(id="q3", difficulty=2)])
    edited_file = (folder / "bank.yaml").read_text(encoding="utf-8")
    result = invoke(site, "quiz", "export")
    assert result.exit_code == 1
    assert "not written: test-bank (changed in both): import its file first" in result.output
    assert (folder / "bank.yaml").read_text(encoding="utf-8") == edited_file


def test_an_export_elsewhere_names_its_base_and_imports_back_as_no_change(site, tmp_path):
    elsewhere = tmp_path / "copies"
    result = invoke(site, "quiz", "export", str(elsewhere))
    assert result.exit_code == 0, result.output
    with site.app_context():
        bank = db.session.scalar(select(Bank))
        expected = f"base:\n  revision: {bank.content_revision}\n  bank_uid: {bank.uid}\n"
    assert expected in (elsewhere / "test-bank.yaml").read_text(encoding="utf-8")
    again = invoke(site, "quiz", "import", str(elsewhere))
    assert "0 added, 0 changed, 0 retired, 3 unchanged" in again.output


def test_a_copy_imported_from_elsewhere_is_a_database_change_the_start_up_keeps(
    site, tmp_path, folder
):
    """A file from outside the bank folder is imported as an upload is: the
    folder's files stay the base, so the next start-up does not take the
    change back, and status says it is waiting to be written back."""
    elsewhere = tmp_path / "copies"
    assert invoke(site, "quiz", "export", str(elsewhere)).exit_code == 0
    copy = elsewhere / "test-bank.yaml"
    copy.write_text(
        copy.read_text(encoding="utf-8").replace("difficulty: 1", "difficulty: 2", 1), "utf-8"
    )
    imported = invoke(site, "quiz", "import", str(copy))
    assert imported.exit_code == 0, imported.output
    assert "1 changed" in imported.output
    status = invoke(site, "quiz", "status")
    assert "changed in database: test-bank/q1" in status.output, status.output
    for _restart in range(2):
        startup = invoke(site, "quiz", "import", "--startup")
        assert "0 changed" in startup.output and "1 kept as edited" in startup.output
    with site.app_context():
        q1 = db.session.scalar(select(Question).filter_by(key="q1"))
        assert q1.live_version.content["difficulty"] == 2
    # Written back, the folder has it and everything is in sync again.
    assert invoke(site, "quiz", "export").exit_code == 0
    assert "difficulty: 2" in (folder / "bank.yaml").read_text(encoding="utf-8")
    assert invoke(site, "quiz", "status").exit_code == 0


def test_every_shipped_bank_file_is_in_the_layout_a_write_back_writes(app_factory, tmp_path):
    """A write-back then changes only the edited questions of a shipped file,
    never its layout (field order, defaults, comments) as a whole."""
    shipped = tmp_path / "questions"
    shutil.copytree(QUESTIONS, shipped)
    application = app_factory(database_url(tmp_path), QUIZ_QUESTIONS_DIR=shipped)
    with application.app_context():
        db.drop_all()
        db.create_all()
    assert invoke(application, "quiz", "import").exit_code == 0
    written = tmp_path / "written"
    result = invoke(application, "quiz", "export", str(written))
    assert result.exit_code == 0, result.output
    banks = sorted(path.name for path in QUESTIONS.glob("*.yaml") if path.name[0] != "_")
    assert sorted(path.name for path in written.glob("*.yaml")) == banks
    for name in banks:
        text = (written / name).read_text(encoding="utf-8")
        without_base = re.sub(r"^base:\n(?:  .*\n)+", "", text, flags=re.MULTILINE)
        assert without_base != text  # an export elsewhere names its base
        assert without_base == (QUESTIONS / name).read_text(encoding="utf-8"), name
