"""Other tools' formats from the command line: ``flask quiz export --format``
and ``flask quiz import-drafts``."""

from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.domain.interop import WRITERS
from quizapp.extensions import db
from quizapp.models import Bank
from tests.conftest import QUESTIONS


def shipped_banks() -> int:
    return len([p for p in QUESTIONS.glob("*.yaml") if not p.name.startswith("_")])


def test_every_bank_exports_in_every_format_with_what_is_left_out_listed(
    imported, runner, tmp_path
):
    for name in WRITERS:
        result = runner.invoke(
            args=[
                "quiz",
                "export",
                str(tmp_path / name),
                "--format",
                name,
                "--base-url",
                "https://quiz.example.org/",
            ]
        )
        assert result.exit_code == 0, result.output
        files = sorted((tmp_path / name).iterdir())
        assert len(files) == shipped_banks(), result.output
        assert f"exported {shipped_banks()} bank(s) as {name}" in result.output
        # Each question left out is named with the reason; the totals add up.
        skipped = re.findall(r"^  skipped (\S+)/(\S+) \((\w+)\): .+$", result.output, re.M)
        total = int(re.search(r"; (\d+) question\(s\) skipped", result.output).group(1))
        assert len(skipped) == total
    gift = (tmp_path / "gift" / "starter.gift.txt").read_text("utf-8")
    assert "https\\://quiz.example.org/sources/huanqiu-2024-02?passage\\=" in gift


def test_exporting_for_another_tool_needs_a_folder_and_known_banks(imported, runner, tmp_path):
    no_folder = runner.invoke(args=["quiz", "export", "--format", "gift"])
    assert no_folder.exit_code == 2 and "needs a FOLDER" in no_folder.output
    unknown = runner.invoke(
        args=["quiz", "export", str(tmp_path), "--format", "csv", "--bank", "nope"]
    )
    assert unknown.exit_code == 1 and "no such bank: nope" in unknown.output
    unlinked = runner.invoke(
        args=["quiz", "export", str(tmp_path), "--format", "csv", "--bank", "starter"]
    )
    assert unlinked.exit_code == 0
    assert "without a link to the app" in unlinked.output


def test_a_file_comes_in_as_drafts_into_a_new_bank_and_a_dry_run_changes_nothing(
    imported, runner, tmp_path
):
    aiken = tmp_path / "quiz.aiken.txt"
    aiken.write_text(
        "Which outlet reported the cookie example?\nA. Global Times\nB. Nobody\nANSWER: A\n",
        "utf-8",
    )
    dry = runner.invoke(args=["quiz", "import-drafts", str(aiken), "--bank", "moodle", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Aiken (Moodle): 1 draft(s) for a new bank moodle" in dry.output
    assert "dry run: nothing changed" in dry.output
    with imported.app_context():
        assert db.session.scalar(select(Bank).filter_by(slug="moodle")) is None
    applied = runner.invoke(args=["quiz", "import-drafts", str(aiken), "--bank", "moodle"])
    assert applied.exit_code == 0, applied.output
    with imported.app_context():
        bank = db.session.scalar(select(Bank).filter_by(slug="moodle"))
        (question,) = bank.questions
        content = question.current_version.content
        assert content["status"] == "draft" and content["sources"] == []
        assert question.live_version is None  # offered to nobody until published
    # The bank's file can be written back and read again: the draft is a valid one.
    status = runner.invoke(args=["quiz", "status"])
    assert "moodle: only in database" in status.output


def test_a_file_with_a_problem_adds_nothing_and_one_unknown_format_is_refused(
    imported, runner, tmp_path
):
    broken = tmp_path / "broken.gift"
    broken.write_text("::a:: fine {=x ~y}\n\n::b:: open {=x ~y\n", "utf-8")
    result = runner.invoke(args=["quiz", "import-drafts", str(broken), "--bank", "starter"])
    assert result.exit_code == 1
    assert re.search(r"broken\.gift:3:\d+: ", result.output), result.output
    assert "nothing imported: 1 problem(s)" in result.output
    mystery = tmp_path / "notes.dat"
    mystery.write_bytes(b"hello")
    unknown = runner.invoke(args=["quiz", "import-drafts", str(mystery), "--bank", "starter"])
    assert unknown.exit_code == 2 and "cannot tell its format" in unknown.output
    # A bank id the format refuses is the option's error, not the file's.
    bad_id = runner.invoke(args=["quiz", "import-drafts", str(broken), "--bank", "Bad Slug!"])
    assert bad_id.exit_code == 2
    assert "Invalid value for '--bank': 'Bad Slug!' is not a bank id" in bad_id.output
    with imported.app_context():
        starter = db.session.scalar(select(Bank).filter_by(slug="starter"))
        assert all(q.current_version.status != "draft" for q in starter.questions)
