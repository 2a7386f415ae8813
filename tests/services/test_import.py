"""Importing banks: merge by stable ids, version changes, never lose anything."""

import itertools

from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from quizapp.domain.banks import check_files, read_bank
from quizapp.domain.export import dump_bank
from quizapp.extensions import db
from quizapp.models import Bank, Citation, Passage, Question, QuestionVersion
from quizapp.services.banks import export_documents
from quizapp.services.imports import import_banks
from tests.conftest import dump, make_bank, make_question
from tests.strategies import banks

GENERATED = itertools.count()


def import_file(app, catalog, path):
    with app.app_context():
        result = check_files([path], catalog)
        assert result.ok, result.problems
        summary = import_banks(catalog, result.banks)
        db.session.commit()
        return summary


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def versions_of(key: str) -> list[QuestionVersion]:
    question = db.session.scalar(select(Question).filter_by(key=key))
    return question.versions


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, catalog, write_bank):
    path = write_bank(make_bank(questions=[make_question(), make_question(id="q2")]))
    first = import_file(app, catalog, path)
    assert (len(first.added), first.banks_added, first.sources_changed) == (2, ["test-bank"], 5)
    second = import_file(app, catalog, path)
    assert not second.changes_anything and len(second.unchanged) == 2
    with app.app_context():
        assert (count(QuestionVersion), count(Passage), count(Citation)) == (2, 1, 2)


def test_changed_content_adds_a_version_and_keeps_the_old_one(app, catalog, write_bank):
    import_file(app, catalog, write_bank(make_bank()))
    changed = make_question(prompt={"zh": "新问题", "en": "New question"})
    summary = import_file(app, catalog, write_bank(make_bank(questions=[changed])))
    assert summary.changed == ["test-bank/q1"]
    with app.app_context():
        old, new = versions_of("q1")
        assert (old.number, new.number) == (1, 2)
        assert old.content["prompt"]["en"] == "What happened to the cookie?"
        assert new.question.current_version_id == new.id
        assert old.citations[0].passage_id == new.citations[0].passage_id


def test_a_question_missing_from_its_file_is_retired_not_deleted(app, catalog, write_bank):
    import_file(
        app, catalog, write_bank(make_bank(questions=[make_question(), make_question(id="q2")]))
    )
    summary = import_file(app, catalog, write_bank(make_bank()))
    assert summary.retired == ["test-bank/q2"]
    with app.app_context():
        first, retired = versions_of("q2")
        assert retired.status == "retired" and retired.origin == "retire"
        assert retired.content == {**first.content, "status": "retired"}
        assert len(retired.citations) == 1
    again = import_file(app, catalog, write_bank(make_bank()))
    assert not again.changes_anything
    back = import_file(
        app, catalog, write_bank(make_bank(questions=[make_question(), make_question(id="q2")]))
    )
    assert back.changed == ["test-bank/q2"]


def test_banks_not_in_the_import_are_left_alone(app, catalog, write_bank, bank_dir):
    import_file(app, catalog, write_bank(make_bank(slug="other"), "other.yaml"))
    (bank_dir / "other.yaml").unlink()
    summary = import_file(app, catalog, write_bank(make_bank()))
    assert summary.retired == []
    with app.app_context():
        assert count(Bank) == 2


def test_a_changed_bank_title_is_updated(app, catalog, write_bank):
    import_file(app, catalog, write_bank(make_bank()))
    summary = import_file(app, catalog, write_bank(make_bank(title={"zh": "新", "en": "New"})))
    assert summary.banks_changed == ["test-bank"] and summary.changed == []


def test_export_then_import_changes_nothing(app, catalog, imported, tmp_path, runner, shipped):
    result = runner.invoke(args=["quiz", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["quiz", "import", str(tmp_path / "out")])
    unchanged = f"0 added, 0 changed, 0 retired, {shipped.question_count} unchanged"
    assert unchanged in again.output


def test_import_then_export_gives_back_the_same_content(app, catalog, imported):
    result = check_files([app.config["QUIZ_QUESTIONS_DIR"]], catalog)
    with app.app_context():
        documents = export_documents()
    for bank in result.banks:
        exported = documents[bank.slug]
        assert [q["id"] for q in exported["questions"]] == [q.key for q in bank.questions]
        assert (exported["title"], exported["description"]) == (bank.title, bank.description)
    assert len(documents) == len(result.banks)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=banks())
def test_a_generated_bank_imported_then_exported_is_the_same_bank(app, catalog, document):
    # The database outlives one example, so each example gets a bank of its
    # own (drawn values repeat; a counter does not).
    slug = f"generated-{next(GENERATED)}"
    first, problems = read_bank(dump({**document, "bank": slug}).encode(), "in.yaml", catalog)
    assert problems == []
    with app.app_context():
        import_banks(catalog, [first])
        db.session.commit()
        exported = export_documents([slug])[slug]
    again, problems = read_bank(dump_bank(exported).encode(), "out.yaml", catalog)
    assert problems == []
    assert (again.title, again.description) == (first.title, first.description)
    assert [(q.key, q.content) for q in again.questions] == [
        (q.key, q.content) for q in first.questions
    ]
