"""The flask quiz commands: check, import, export."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Passage, Question, QuestionVersion, Source
from tests.bad_banks import CASES, VALID
from tests.conftest import make_bank


def database_state(app) -> tuple:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Source, Bank, Question, QuestionVersion, Passage)
        )


def test_check_passes_on_the_shipped_banks(runner):
    result = runner.invoke(args=["quiz", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": 0 problem(s)")


def test_check_reports_file_line_and_column_and_fails(runner, write_bank):
    path = write_bank(VALID.replace("answer: a", "answer: z"))
    result = runner.invoke(args=["quiz", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:14:5: questions[0].answer: 'z' is not among the choices" in result.output
    assert "1 file(s), 0 bank(s), 0 question(s): 1 problem(s)" in result.output


def test_import_prints_a_summary(runner, app, shipped):
    result = runner.invoke(args=["quiz", "import"])
    assert result.exit_code == 0
    total = shipped.question_count
    assert f"{total} added, 0 changed, 0 retired, 0 unchanged" in result.output
    assert database_state(app)[:3] == (5, len(shipped.banks), total)


@pytest.mark.parametrize(("name", "raw", "line", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_bank_imports_nothing_and_names_file_and_line(
    imported, runner, write_bank, bank_dir, name, raw, line, fragment
):
    before = database_state(imported)
    write_bank(VALID, "good.yaml")
    bad = write_bank(raw, "zz-bad.yaml")
    result = runner.invoke(args=["quiz", "import", str(bank_dir)])
    assert result.exit_code == 1
    assert f"{bad}:{line}:" in result.output and fragment in result.output
    assert "nothing imported" in result.output
    assert database_state(imported) == before


def test_import_into_a_database_without_tables_says_what_to_do(runner, app):
    with app.app_context():
        db.drop_all()
    result = runner.invoke(args=["quiz", "import"])
    assert result.exit_code == 1
    assert "run 'flask db upgrade' first" in result.output


def test_export_writes_one_file_per_bank(imported, runner, tmp_path):
    result = runner.invoke(args=["quiz", "export", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert (tmp_path / "out" / "starter.yaml").is_file()
    assert runner.invoke(args=["quiz", "check", str(tmp_path / "out")]).exit_code == 0


def test_export_updates_the_file_that_already_holds_the_bank(
    imported, runner, write_bank, bank_dir
):
    write_bank(make_bank(slug="starter"), "my-name.yaml")
    result = runner.invoke(args=["quiz", "export", str(bank_dir)])
    assert result.exit_code == 0
    names = {p.name for p in bank_dir.iterdir()}
    assert "my-name.yaml" in names and "starter.yaml" not in names
    assert "sora-limits.yaml" in names  # a bank no file held gets its own
    assert "id: cookie-bite" in (bank_dir / "my-name.yaml").read_text(encoding="utf-8")


def test_export_of_an_unknown_bank_fails(imported, runner, tmp_path):
    result = runner.invoke(args=["quiz", "export", str(tmp_path), "--bank", "nope"])
    assert result.exit_code == 1 and "no such bank: nope" in result.output


def test_coverage_reports_sources_banks_and_the_thresholds(runner):
    result = runner.invoke(args=["quiz", "coverage", "--strict"])
    assert result.exit_code == 0, result.output
    for source in ("huanqiu-2024-02", "aitechreview-2024-03", "qingnianbao-2024"):
        assert f"  {source} " in result.output
    assert "true/false:" in result.output and "types:" in result.output
    assert result.output.rstrip().endswith("all met")


def test_coverage_below_the_bar_says_what_is_missing_and_strict_fails(runner, write_bank):
    path = write_bank(make_bank())
    relaxed = runner.invoke(args=["quiz", "coverage", str(path)])
    assert relaxed.exit_code == 0
    assert "  not met: 1 questions, fewer than 150" in relaxed.output
    strict = runner.invoke(args=["quiz", "coverage", "--strict", str(path)])
    assert strict.exit_code == 1


def test_coverage_of_an_invalid_bank_lists_its_problems(runner, write_bank):
    path = write_bank(VALID.replace("answer: a", "answer: z"))
    result = runner.invoke(args=["quiz", "coverage", str(path)])
    assert result.exit_code == 1
    assert "is not among the choices" in result.output
    assert "coverage not measured: 1 problem(s)" in result.output
