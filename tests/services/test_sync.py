"""Three-way sync of bank files and the database: every row of the table, on both databases.

Each test imports a bank (its file becomes the base), changes the file,
the database or both, and imports again. See quizapp.domain.sync.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.domain.banks import check_documents
from quizapp.domain.export import dump_bank
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Question, QuestionVersion
from quizapp.services.bank_edits import change_bank
from quizapp.services.banks import bank_by_slug, export_documents
from quizapp.services.imports import ImportConflict, import_banks, plan_import
from quizapp.services.versions import create_question, save_question
from tests.conftest import dump, make_bank, make_question
from tests.services.editing import admin, make_admin, make_spec

BANK = "test-bank"
NEW_PROMPT = {"zh": "饼干上少了什么?", "en": "What is missing from the cookie?"}
OTHER_PROMPT = {"zh": "饼干有什么问题?", "en": "What is wrong with the cookie?"}


def two_questions(**first) -> dict:
    return make_bank(questions=[make_question(**first), make_question(id="q2")])


def specs(catalog, *documents, texts=()):
    files = [(f"{d['bank']}.yaml", dump(d).encode()) for d in documents]
    files += [(f"file-{i}.yaml", text.encode()) for i, text in enumerate(texts)]
    result = check_documents(files, catalog)
    assert result.ok, result.problems
    return result.banks


def sync(catalog, *documents, **options):
    """Import ``documents`` as the bank files (they become the base) and commit."""
    summary = import_banks(catalog, specs(catalog, *documents), **options)
    db.session.commit()
    return summary


def question(key: str = "q1") -> Question:
    return db.session.scalar(select(Question).filter_by(key=key))


def content(key: str = "q1") -> dict:
    return question(key).current_version.content


def edit_in_browser(catalog, key: str = "q1", **overrides) -> None:
    """An admin saves question ``key`` with ``overrides`` in the editor."""
    found = question(key)
    spec = make_spec(catalog, id=key, **overrides)
    save_question(found, spec, catalog, admin(), found.current_version_id)
    db.session.commit()


@pytest.fixture
def synced(app, catalog):
    """Two questions imported from their file; an admin."""
    with app.app_context():
        make_admin()
        sync(catalog, two_questions())
        yield


def version_count() -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionVersion))


# --- the table: file vs base, database vs base ---------------------------------


def test_a_file_unchanged_since_its_base_leaves_the_browsers_edit_standing(synced, catalog):
    edit_in_browser(catalog, difficulty=3)
    summary = sync(catalog, two_questions())
    assert summary.kept == [f"{BANK}/q1"]
    assert (summary.changed, summary.retired) == ([], [])
    assert content()["difficulty"] == 3


def test_a_file_changed_while_the_database_was_not_applies(synced, catalog):
    summary = sync(catalog, two_questions(prompt=NEW_PROMPT))
    assert summary.changed == [f"{BANK}/q1"]
    assert content()["prompt"] == NEW_PROMPT


def test_the_same_change_on_both_sides_is_agreed_not_a_conflict(synced, catalog):
    edit_in_browser(catalog, prompt=NEW_PROMPT)
    versions = version_count()
    summary = sync(catalog, two_questions(prompt=NEW_PROMPT))
    assert (summary.conflicts, summary.changed, summary.kept) == ([], [], [])
    assert version_count() == versions
    # Agreed: the file is now the base, so the question is in sync.
    assert question().synced_digest == question().current_version.digest


def test_different_changes_on_both_sides_are_a_conflict_naming_the_field_and_both_values(
    synced, catalog
):
    edit_in_browser(catalog, prompt=OTHER_PROMPT)
    versions = version_count()
    with pytest.raises(ImportConflict) as refused:
        import_banks(catalog, specs(catalog, two_questions(prompt=NEW_PROMPT, difficulty=2)))
    db.session.rollback()
    (conflict,) = refused.value.summary.conflicts
    assert conflict.label == f"{BANK}/q1"
    lines = "\n".join(conflict.lines())
    assert f"prompt (en): database {OTHER_PROMPT['en']!r} | file {NEW_PROMPT['en']!r}" in lines
    assert "difficulty: database '1' | file '2'" in lines
    # All or nothing: not even the other question's or the sources' rows moved.
    assert version_count() == versions
    assert content()["prompt"] == OTHER_PROMPT


@pytest.mark.parametrize(("prefer", "expected"), [("file", NEW_PROMPT), ("database", OTHER_PROMPT)])
def test_a_conflict_is_settled_by_the_side_the_operator_prefers(synced, catalog, prefer, expected):
    edit_in_browser(catalog, prompt=OTHER_PROMPT)
    summary = sync(catalog, two_questions(prompt=NEW_PROMPT), prefer=prefer)
    assert summary.conflicts == []
    assert content()["prompt"] == expected
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.detail["prefer"]) == ("banks.import", prefer)


def test_a_question_dropped_from_its_file_is_retired_when_the_database_did_not_touch_it(
    synced, catalog
):
    summary = sync(catalog, make_bank())
    assert summary.retired == [f"{BANK}/q2"]
    assert question("q2").live_version is None


def test_a_question_dropped_from_its_file_but_edited_in_the_browser_is_a_conflict(synced, catalog):
    edit_in_browser(catalog, key="q2", difficulty=2)
    with pytest.raises(ImportConflict) as refused:
        import_banks(catalog, specs(catalog, make_bank()))
    db.session.rollback()
    assert [c.label for c in refused.value.summary.conflicts] == [f"{BANK}/q2"]
    assert question("q2").live_version is not None


def test_a_question_added_in_the_browser_is_never_retired_by_an_import(synced, catalog):
    spec = make_spec(catalog, id="q3")
    create_question(db.session.get(Bank, question().bank_id), spec, catalog, admin())
    db.session.commit()
    for _ in range(3):
        summary = sync(catalog, two_questions())
        assert summary.kept == [f"{BANK}/q3"]
        assert summary.retired == []
    assert question("q3").live_version is not None


def test_a_bank_title_changed_in_the_browser_stands_and_one_changed_in_the_file_applies(
    synced, catalog
):
    bank = bank_by_slug(BANK)
    change_bank(bank, {"title": {"zh": "新", "en": "New"}}, bank.revision, admin())
    db.session.commit()
    sync(catalog, two_questions())
    assert bank_by_slug(BANK).title == {"zh": "新", "en": "New"}
    summary = sync(catalog, {**two_questions(), "description": {"zh": "改", "en": "Changed"}})
    assert summary.banks_changed == [BANK]
    assert bank_by_slug(BANK).description == {"zh": "改", "en": "Changed"}
    assert bank_by_slug(BANK).title == {"zh": "新", "en": "New"}


def test_a_start_up_import_leaves_a_bank_in_conflict_as_it_is_and_applies_the_others(
    synced, catalog
):
    edit_in_browser(catalog, prompt=OTHER_PROMPT)
    other = make_bank("other", [make_question(id="o1")])
    summary = sync(
        catalog, two_questions(prompt=NEW_PROMPT, difficulty=2), other, skip_conflicts=True
    )
    assert summary.banks_skipped == [BANK]
    assert summary.banks_added == ["other"]
    assert [c.label for c in summary.conflicts] == [f"{BANK}/q1"]
    assert content()["prompt"] == OTHER_PROMPT and content()["difficulty"] == 1
    # The base did not move: the conflict is still there next time.
    with pytest.raises(ImportConflict):
        import_banks(catalog, specs(catalog, two_questions(prompt=NEW_PROMPT)))
    db.session.rollback()


# --- files that name their base ----------------------------------------------------


def downloaded() -> str:
    """The bank as a download gives it: with ``base:``."""
    return dump_bank(export_documents([BANK], with_base=True)[BANK])


def test_a_download_names_the_bank_and_revision_it_came_from(synced):
    bank = bank_by_slug(BANK)
    assert f"base:\n  revision: {bank.content_revision}\n  bank_uid: {bank.uid}\n" in downloaded()


def test_a_stale_download_uploaded_back_keeps_a_colleagues_later_edit(synced, catalog):
    alices = downloaded()
    edit_in_browser(catalog, key="q2", difficulty=3)  # Bob, after Alice downloaded
    alices = alices.replace("What happened to the cookie?", "What became of the cookie?", 1)
    summary = import_banks(catalog, specs(catalog, texts=[alices]), sync=False)
    db.session.commit()
    assert summary.changed == [f"{BANK}/q1"]
    assert summary.kept == [f"{BANK}/q2"]
    assert content("q2")["difficulty"] == 3
    assert content()["prompt"]["en"] == "What became of the cookie?"


def test_a_stale_download_changing_what_a_colleague_changed_is_a_conflict(synced, catalog):
    alices = downloaded()
    edit_in_browser(catalog, key="q1", prompt=OTHER_PROMPT)
    alices = alices.replace("What happened to the cookie?", "What became of the cookie?", 1)
    plan = plan_import(specs(catalog, texts=[alices]))
    assert [c.label for c in plan.conflicts] == [f"{BANK}/q1"]
    assert (plan.changed, plan.kept) == ([], [])


def test_a_download_based_after_the_last_sync_compares_with_its_own_base(synced, catalog):
    edit_in_browser(catalog, key="q1", prompt=OTHER_PROMPT)  # after the sync, before download
    alices = downloaded()
    edit_in_browser(catalog, key="q1", prompt=NEW_PROMPT)  # Carol, after the download
    # Alice's file still holds the version she downloaded: nothing of hers to apply.
    plan = plan_import(specs(catalog, texts=[alices]))
    assert plan.conflicts == [] and plan.kept == [f"{BANK}/q1"]


def test_a_base_from_another_database_counts_as_no_base(synced, catalog):
    text = downloaded().replace(bank_by_slug(BANK).uid, "0" * 16)
    edit_in_browser(catalog, key="q2", difficulty=3)
    plan = plan_import(specs(catalog, texts=[text]))
    # Against the last sync instead: q2 is the file's as synced, so the edit stands.
    assert plan.kept == [f"{BANK}/q2"] and plan.conflicts == []


def test_every_change_moves_the_bank_revision_on_once(synced, catalog):
    start = bank_by_slug(BANK).content_revision
    edit_in_browser(catalog, key="q2", difficulty=2)
    assert bank_by_slug(BANK).content_revision == start + 1
    sync(catalog, make_bank(questions=[make_question(prompt=NEW_PROMPT)]), prefer="file")
    # One import, one revision, for a change and a retirement alike.
    assert bank_by_slug(BANK).content_revision == start + 2
    revisions = db.session.scalars(
        select(QuestionVersion.bank_revision).order_by(QuestionVersion.id)
    ).all()
    assert revisions[-2:] == [start + 2, start + 2]


# --- an import and an editor save at the same moment ------------------------------


def test_an_import_waits_for_a_save_under_way_and_then_sees_it(app, catalog, monkeypatch):
    """The save holds its bank while it writes; the import, started meanwhile,
    reads the bank only after the save commits: both changed q2, a conflict,
    not the file's q2 written over the save it did not see."""
    import threading
    import time

    from quizapp.services import versions
    from tests.services.races import THREAD_TIMEOUT

    with app.app_context():
        make_admin()
        sync(catalog, two_questions())
    claimed, started = threading.Event(), threading.Event()
    real_add_version = versions.add_version

    def slow_add_version(*args, **kwargs):
        claimed.set()  # the question and its bank are this save's now
        started.wait(THREAD_TIMEOUT)
        time.sleep(0.5)  # the import runs into the lock meanwhile
        return real_add_version(*args, **kwargs)

    monkeypatch.setattr(versions, "add_version", slow_add_version)
    outcome = {}

    def save():
        with app.app_context():
            edit_in_browser(catalog, key="q2", difficulty=3)
            db.session.remove()

    def run_import():
        claimed.wait(THREAD_TIMEOUT)
        started.set()
        with app.app_context():
            file = specs(
                catalog,
                make_bank(questions=[make_question(), make_question(id="q2", difficulty=2)]),
            )
            try:
                import_banks(catalog, file)
                db.session.commit()
                outcome["result"] = "imported"
            except ImportConflict as refused:
                db.session.rollback()
                outcome["result"] = [c.label for c in refused.summary.conflicts]
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save), threading.Thread(target=run_import)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert outcome["result"] == [f"{BANK}/q2"]
    with app.app_context():
        assert content("q2")["difficulty"] == 3
