"""Planning an import (read-only), importing with an author, and exporting back to YAML."""

from __future__ import annotations

from sqlalchemy import func, select

from quizapp.domain.banks import check_documents
from quizapp.domain.export import dump_bank
from quizapp.extensions import db
from quizapp.models import (
    AuditEntry,
    Bank,
    Citation,
    Passage,
    Question,
    QuestionVersion,
    Source,
    User,
)
from quizapp.services.bank_edits import change_bank, create_bank
from quizapp.services.banks import bank_by_slug, export_documents
from quizapp.services.imports import import_banks, plan_import
from quizapp.services.versions import save_question
from tests.conftest import dump, make_bank, make_question
from tests.services.editing import make_admin, make_spec

BANK = "test-bank"
TABLES = (AuditEntry, Bank, Citation, Passage, Question, QuestionVersion, Source)


def two_questions(**first) -> dict:
    return make_bank(questions=[make_question(**first), make_question(id="q2")])


def checked(*documents: dict, catalog):
    """Bank documents as checked specs, as an upload would give them."""
    files = [(f"{document['bank']}.yaml", dump(document).encode()) for document in documents]
    result = check_documents(files, catalog)
    assert result.ok, result.problems
    return result.banks


def checked_text(texts: dict[str, str], catalog):
    result = check_documents([(name, text.encode()) for name, text in texts.items()], catalog)
    assert result.ok, result.problems
    return result.banks


def import_documents(catalog, *documents: dict, author: User | None = None, origin="import"):
    summary = import_banks(catalog, checked(*documents, catalog=catalog), author, origin)
    db.session.commit()
    return summary


def row_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in TABLES
    }


def outcome(summary) -> tuple:
    return (
        summary.added,
        summary.changed,
        summary.retired,
        summary.unchanged,
        summary.banks_added,
        summary.banks_changed,
    )


def imports(action: str = "banks.import") -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action)))


# Planning


def test_on_an_empty_database_every_question_and_bank_is_planned_as_added(app, catalog):
    with app.app_context():
        plan = plan_import(checked(two_questions(), make_bank("other"), catalog=catalog))
        assert outcome(plan) == (
            ["test-bank/q1", "test-bank/q2", "other/q1"],
            [],
            [],
            [],
            ["test-bank", "other"],
            [],
        )


def test_planning_an_import_on_an_empty_database_writes_nothing(app, catalog):
    with app.app_context():
        plan_import(checked(two_questions(), catalog=catalog))
        db.session.commit()
        assert set(row_counts().values()) == {0}


def test_planning_changes_retirements_and_a_new_title_writes_nothing(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        before = row_counts()
        revision = bank_by_slug(BANK).revision
        changed = make_bank(
            title={"zh": "新", "en": "New"}, questions=[make_question(difficulty=2)]
        )
        plan = plan_import(checked(changed, catalog=catalog))
        db.session.commit()
        assert plan.changes_anything
        assert row_counts() == before
        db.session.expire_all()
        bank = bank_by_slug(BANK)
        assert (bank.title["en"], bank.revision) == ("Test bank", revision)
        assert [q.current_version.number for q in bank.questions] == [1, 1]


def test_after_an_import_the_same_files_plan_as_unchanged(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        plan = plan_import(checked(two_questions(), catalog=catalog))
        assert outcome(plan) == ([], [], [], ["test-bank/q1", "test-bank/q2"], [], [])
        assert not plan.changes_anything


def test_importing_the_same_files_again_changes_no_row(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        before = row_counts()
        summary = import_documents(catalog, two_questions())
        assert not summary.changes_anything
        assert row_counts() == before


def test_a_changed_question_plans_as_changed_and_a_missing_one_as_retired(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        plan = plan_import(
            checked(make_bank(questions=[make_question(difficulty=3)]), catalog=catalog)
        )
        assert outcome(plan) == ([], ["test-bank/q1"], ["test-bank/q2"], [], [], [])


def test_the_plan_is_what_the_import_then_does(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        document = make_bank(
            title={"zh": "新", "en": "New"},
            questions=[make_question(difficulty=3), make_question(id="q3")],
        )
        plan = plan_import(checked(document, catalog=catalog))
        done = import_documents(catalog, document)
        assert outcome(plan) == outcome(done)
        assert outcome(done) == (
            ["test-bank/q3"],
            ["test-bank/q1"],
            ["test-bank/q2"],
            [],
            [],
            ["test-bank"],
        )


def test_a_question_already_retired_and_still_missing_plans_as_unchanged(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        import_documents(catalog, make_bank())
        plan = plan_import(checked(make_bank(), catalog=catalog))
        assert (plan.retired, sorted(plan.unchanged)) == ([], ["test-bank/q1", "test-bank/q2"])


# Importing: who and where from


def test_an_upload_records_its_author_and_origin_on_each_new_version(app, catalog):
    with app.app_context():
        admin = make_admin()
        import_documents(catalog, two_questions(), author=admin, origin="upload")
        versions = list(db.session.scalars(select(QuestionVersion)))
        assert [(v.origin, v.author_id) for v in versions] == [("upload", admin.id)] * 2


def test_an_upload_is_one_audit_entry_naming_its_author_and_what_it_did(app, catalog):
    with app.app_context():
        admin = make_admin()
        summary = import_documents(catalog, two_questions(), author=admin, origin="upload")
        (entry,) = db.session.scalars(select(AuditEntry))
        assert (entry.action, entry.actor_id) == ("banks.import", admin.id)
        assert entry.detail == summary.as_detail([BANK])
        assert entry.detail["added"] == ["test-bank/q1", "test-bank/q2"]


def test_an_import_that_changes_nothing_is_not_logged(app, catalog):
    with app.app_context():
        import_documents(catalog, two_questions())
        import_documents(catalog, two_questions(), author=make_admin(), origin="upload")
        assert len(imports()) == 1


def test_a_command_line_import_has_no_author_and_is_logged_as_such(
    app, runner, catalog, write_bank
):
    path = write_bank(two_questions())
    result = runner.invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        versions = list(db.session.scalars(select(QuestionVersion)))
        assert [(v.origin, v.author_id) for v in versions] == [("import", None)] * 2
        (entry,) = imports()
        assert entry.actor_id is None
        assert (entry.detail["banks"], entry.detail["banks_added"]) == ([BANK], [BANK])


# Exporting: the files round-trip


def export_texts() -> dict[str, str]:
    return {f"{slug}.yaml": dump_bank(doc) for slug, doc in export_documents().items()}


def varied_bank() -> dict:
    """A bank with each kind of content an export must write back faithfully."""
    numeric = make_question(
        id="numeric",
        type="numeric",
        answer={"value": 60, "tolerance": 0.5, "unit": {"zh": "秒", "en": "seconds"}},
        wrong_feedback={"zh": "再读一遍。", "en": "Read it again.\nSlowly."},
    )
    del numeric["choices"]
    several = make_question(
        id="several",
        type="multiple",
        status="draft",
        tags=[],
        choices=[{"id": k, "text": {"zh": k, "en": k}} for k in "abc"],
        answer=["a", "c"],
        sources=[
            {"doc": "huanqiu-2024-02", "exact": "生成式人工智能模型Sora", "suffix": "一夜"},
            {"doc": "21jingji-2024-02", "exact": "一个人咬一口饼干之后,饼干可能没有咬痕。"},
        ],
    )
    del several["source"]
    return make_bank(questions=[make_question(), numeric, several, make_question(id="gone")])


def test_exported_banks_pass_the_check_and_plan_as_unchanged(app, catalog):
    with app.app_context():
        admin = make_admin()
        import_documents(catalog, varied_bank(), make_bank("other"))
        # A retired question and an edit from the browser must round-trip too.
        document = varied_bank()
        document["questions"].pop()
        import_documents(catalog, document)
        question = db.session.scalar(select(Question).filter_by(key="q1"))
        spec = make_spec(catalog, prompt={"zh": "饼干\n后来呢?", "en": "And then?"})
        save_question(question, spec, catalog, admin, question.current_version_id)
        db.session.commit()
        before = row_counts()
        plan = plan_import(checked_text(export_texts(), catalog))
        assert (plan.added, plan.changed, plan.retired, plan.banks_added) == ([], [], [], [])
        assert plan.banks_changed == [] and len(plan.unchanged) == 5
        assert not plan.changes_anything
        assert row_counts() == before


def test_a_retired_bank_exports_its_status_and_reimports_unchanged(app, catalog):
    with app.app_context():
        import_documents(catalog, make_bank())
        bank = bank_by_slug(BANK)
        change_bank(bank, {"status": "retired"}, bank.revision, make_admin())
        db.session.commit()
        texts = export_texts()
        assert "\nstatus: retired\n" in texts["test-bank.yaml"]
        (spec,) = checked_text(texts, catalog)
        assert spec.status == "retired"
        plan = plan_import([spec])
        assert not plan.changes_anything and plan.unchanged == ["test-bank/q1"]


def test_an_empty_bank_exports_an_empty_question_list_and_reimports_unchanged(app, catalog):
    with app.app_context():
        create_bank("empty", {"zh": "空", "en": "Empty"}, {"zh": "无", "en": "None"}, make_admin())
        db.session.commit()
        texts = export_texts()
        assert "\nquestions: []\n" in texts["empty.yaml"]
        plan = plan_import(checked_text(texts, catalog))
        assert not plan.changes_anything
