"""``flask quiz check`` and ``import`` hold every tag to the vocabulary, ``questions/_tags.yaml``."""

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank
from tests.conftest import database_url, dump, make_bank, make_question


def test_check_names_an_unknown_tag_with_the_closest_known_one(runner, write_bank):
    path = write_bank(make_bank(questions=[make_question(tags=["sora-limits", "deepfake-case"])]))
    result = runner.invoke(args=["quiz", "check", str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:14:5: questions[0].tags[1]: "
        "unknown tag 'deepfake-case' (closest known: 'deepfake-cases')"
    ) in result.output
    assert "1 file(s), 0 bank(s), 0 question(s): 1 problem(s)" in result.output


def test_import_refuses_a_bank_with_an_unknown_tag(runner, app, write_bank):
    path = write_bank(make_bank(questions=[make_question(tags=["scam"])]))
    result = runner.invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 1
    assert "unknown tag 'scam' (closest known: 'scams')" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_check_reports_a_broken_vocabulary_at_its_line(app_factory, tmp_path, write_bank):
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "_tags.yaml").write_text(
        "tags:\n- id: sora-limits\n  kind: topic\n  label: {zh: Sora 的局限}\n", encoding="utf-8"
    )
    (folder / "bank.yaml").write_text(dump(make_bank()), encoding="utf-8")
    application = app_factory(database_url(tmp_path), QUIZ_QUESTIONS_DIR=folder)
    result = application.test_cli_runner().invoke(args=["quiz", "check"])
    assert result.exit_code == 1
    assert f"{folder / '_tags.yaml'}:4:3: tags[0].label: missing field 'en'" in result.output
    # The tag its valid entries would have declared is not taken on trust.
    assert "unknown tag 'sora-limits' (no tags are declared in _tags.yaml)" in result.output
    assert "1 file(s), 0 bank(s)" in result.output
