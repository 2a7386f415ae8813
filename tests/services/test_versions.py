"""Saving questions from the editor: versions, live versions, restores, merges, conflicts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.domain.versions import Field
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Question, QuestionVersion, User
from quizapp.services.attempts import published_versions, start_attempt
from quizapp.services.versions import (
    EditConflict,
    KeyTaken,
    UnknownVersion,
    create_question,
    last_changed_in,
    restore_version,
    save_question,
    version_of,
)
from tests.services.editing import admin, make_admin, make_spec
from tests.services.races import run_together

BANK = "test-bank"


def question_q1() -> Question:
    return db.session.scalar(select(Question).filter_by(key="q1"))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).filter_by(action=action)))


def save(catalog, author: User, **overrides):
    """Save q1 with ``overrides`` on its current version, and commit."""
    question = question_q1()
    saved = save_question(
        question, make_spec(catalog, **overrides), catalog, author, question.current_version_id
    )
    db.session.commit()
    return saved


RENAMED = {"prompt": {"zh": "饼干后来怎么了?", "en": "What happened to the cookie later?"}}


# Saving


def test_a_save_adds_the_next_version_by_its_author_from_the_editor(editor_app, catalog):
    with editor_app.app_context():
        saved = save(catalog, admin(), **RENAMED)
        assert saved.created
        version = question_q1().current_version
        assert version.id == saved.version.id
        assert (version.number, version.origin, version.author.name) == (2, "editor", "ada")
        assert version.content["prompt"] == RENAMED["prompt"]
        assert (
            version_of(question_q1(), 1).content["prompt"]["en"] == "What happened to the cookie?"
        )


def test_a_save_is_logged_with_the_version_numbers_and_the_fields_changed(editor_app, catalog):
    with editor_app.app_context():
        saved = save(catalog, admin(), **RENAMED, difficulty=2)
        (entry,) = entries("question.edit")
        assert (entry.actor.name, entry.question.key, entry.bank.slug) == ("ada", "q1", BANK)
        assert entry.version_id == saved.version.id
        assert entry.detail == {"from": 1, "to": 2, "fields": ["difficulty", "prompt"]}


def test_saving_identical_content_adds_no_version_and_no_log_entry(editor_app, catalog):
    with editor_app.app_context():
        saved = save(catalog, admin())
        assert not saved.created and saved.version.number == 1
        assert count(QuestionVersion) == 1 and entries("question.edit") == []


def test_a_draft_saved_over_a_published_version_leaves_the_published_one_live(editor_app, catalog):
    with editor_app.app_context():
        first = question_q1().current_version
        draft = save(catalog, admin(), status="draft", **RENAMED).version
        question = question_q1()
        assert (question.current_version_id, question.live_version_id) == (draft.id, first.id)
        assert [v.id for v in published_versions([BANK])] == [first.id]


def test_publishing_a_draft_makes_it_live(editor_app, catalog):
    with editor_app.app_context():
        save(catalog, admin(), status="draft", **RENAMED)
        published = save(catalog, admin(), status="published", **RENAMED).version
        assert question_q1().live_version_id == published.id
        assert [v.id for v in published_versions([BANK])] == [published.id]


def test_retiring_a_question_takes_it_away_from_learners(editor_app, catalog):
    with editor_app.app_context():
        retired = save(catalog, admin(), status="retired").version
        question = question_q1()
        assert question.current_version_id == retired.id and question.live_version is None
        assert published_versions([BANK]) == []


def test_create_question_adds_version_one_at_the_end_of_the_bank(editor_app, catalog):
    with editor_app.app_context():
        bank = db.session.scalar(select(Bank).filter_by(slug=BANK))
        version = create_question(bank, make_spec(catalog, id="q2"), catalog, admin())
        db.session.commit()
        assert (version.number, version.origin, version.author.name) == (1, "editor", "ada")
        assert [q.key for q in bank.questions] == ["q1", "q2"]
        assert version.question.live_version_id == version.id
        (entry,) = entries("question.create")
        assert entry.question.key == "q2" and entry.version_id == version.id


def test_create_question_refuses_an_id_the_bank_already_has(editor_app, catalog):
    with editor_app.app_context():
        bank = db.session.scalar(select(Bank).filter_by(slug=BANK))
        with pytest.raises(KeyTaken):
            create_question(bank, make_spec(catalog), catalog, admin())
        db.session.rollback()
        assert count(Question) == 1 and count(QuestionVersion) == 1


# Restoring


def test_restoring_an_old_version_adds_a_new_version_with_its_content(editor_app, catalog):
    with editor_app.app_context():
        save(catalog, admin(), **RENAMED)
        question = question_q1()
        old = version_of(question, 1)
        saved = restore_version(question, old, admin(), question.current_version_id)
        db.session.commit()
        assert saved.created
        assert (saved.version.number, saved.version.origin) == (3, "restore")
        assert saved.version.content == old.content and saved.version.digest == old.digest
        assert [c.passage_id for c in saved.version.citations] == [
            c.passage_id for c in old.citations
        ]
        assert count(QuestionVersion) == 3


def test_a_restore_is_logged_with_the_version_restored(editor_app, catalog):
    with editor_app.app_context():
        save(catalog, admin(), **RENAMED)
        question = question_q1()
        restore_version(question, version_of(question, 1), admin(), question.current_version_id)
        db.session.commit()
        (entry,) = entries("question.restore")
        assert entry.actor.name == "ada"
        assert entry.detail == {"from": 2, "to": 3, "restored": 1}


def test_restoring_the_published_version_of_a_retired_question_makes_it_live_again(
    editor_app, catalog
):
    with editor_app.app_context():
        save(catalog, admin(), status="retired")
        question = question_q1()
        restored = restore_version(
            question, version_of(question, 1), admin(), question.current_version_id
        ).version
        db.session.commit()
        assert question_q1().live_version_id == restored.id
        assert [v.id for v in published_versions([BANK])] == [restored.id]


def test_restoring_the_content_already_current_adds_nothing(editor_app, catalog):
    with editor_app.app_context():
        question = question_q1()
        saved = restore_version(
            question, version_of(question, 1), admin(), question.current_version_id
        )
        assert not saved.created and saved.version.number == 1
        assert count(QuestionVersion) == 1 and entries("question.restore") == []


# Two admins on one version: merges and edit conflicts


def save_on(catalog, base: int, author: User, **overrides):
    """Save q1 with ``overrides`` on version id ``base`` (the form's), and commit."""
    saved = save_question(question_q1(), make_spec(catalog, **overrides), catalog, author, base)
    db.session.commit()
    return saved


def test_a_save_on_a_stale_version_merges_edits_of_different_fields(editor_app, catalog):
    with editor_app.app_context():
        base = question_q1().current_version_id
        theirs = save(catalog, admin(), **RENAMED).version
        saved = save_on(catalog, base, make_admin("bob"), difficulty=3)
        assert saved.created and saved.version.number == 3
        assert saved.merged_with.id == theirs.id
        assert saved.taken_from_theirs == ("prompt.zh", "prompt.en")
        content = question_q1().current_version.content
        assert (content["prompt"], content["difficulty"]) == (RENAMED["prompt"], 3)
        assert question_q1().current_version.author.name == "bob"


def test_a_merged_save_is_logged_with_the_version_it_merged_with_and_what_it_took(
    editor_app, catalog
):
    with editor_app.app_context():
        base = question_q1().current_version_id
        save(catalog, admin(), **RENAMED)
        save_on(catalog, base, make_admin("bob"), difficulty=3)
        merged = entries("question.edit")[-1]
        assert merged.actor.name == "bob"
        assert merged.detail == {
            "from": 2,
            "to": 3,
            "fields": ["difficulty"],
            "base": 1,
            "merged_with": 2,
            "taken": ["prompt.zh", "prompt.en"],
        }


def test_a_stale_save_with_the_same_changes_as_the_other_adds_no_version(editor_app, catalog):
    with editor_app.app_context():
        base = question_q1().current_version_id
        theirs = save(catalog, admin(), **RENAMED).version
        saved = save_on(catalog, base, make_admin("bob"), **RENAMED)
        assert not saved.created and saved.version.id == theirs.id
        assert saved.merged_with.id == theirs.id
        assert count(QuestionVersion) == 2


def test_a_save_on_a_stale_version_that_changed_the_same_field_is_refused(editor_app, catalog):
    with editor_app.app_context():
        base = question_q1().current_version_id
        save(catalog, admin(), **RENAMED)
        mine = {"zh": "饼干后来怎样?", "en": "And the cookie?"}
        with pytest.raises(EditConflict) as raised:
            save_on(catalog, base, make_admin("bob"), prompt=mine, difficulty=3)
        conflict = raised.value
        assert (conflict.base.number, conflict.theirs.number, conflict.current.number) == (1, 2, 2)
        assert {change.field for change in conflict.changes()} == {
            Field("prompt", None, "zh"),
            Field("prompt", None, "en"),
        }
        assert conflict.merge.conflicts == ("prompt.zh", "prompt.en")
        # The form comes back with mine where both changed, merged elsewhere.
        assert conflict.merge.content["prompt"] == mine
        assert conflict.merge.content["difficulty"] == 3
        assert count(QuestionVersion) == 2
        assert question_q1().current_version.content["prompt"] == RENAMED["prompt"]


@pytest.mark.parametrize("base", ["missing", "other question's"])
def test_a_base_that_is_not_a_version_of_the_question_is_refused(editor_app, catalog, base):
    with editor_app.app_context():
        bank = db.session.scalar(select(Bank).filter_by(slug=BANK))
        other = create_question(bank, make_spec(catalog, id="q2"), catalog, admin())
        db.session.commit()
        wrong = other.id if base == "other question's" else other.id + 100
        with pytest.raises(UnknownVersion):
            save_on(catalog, wrong, admin(), difficulty=3)
        assert count(QuestionVersion) == 2


def test_the_author_of_each_field_of_theirs_is_the_last_version_that_changed_it(
    editor_app, catalog
):
    with editor_app.app_context():
        first = question_q1().current_version
        renamed = save(catalog, admin(), **RENAMED).version
        harder = save(catalog, make_admin("carl"), **RENAMED, difficulty=2).version
        found = last_changed_in(
            question_q1(), first, harder, ["prompt.en", "difficulty", "explanation.en"]
        )
        assert found == {"prompt.en": renamed, "difficulty": harder}


def test_a_restore_on_a_stale_version_is_refused(editor_app, catalog):
    with editor_app.app_context():
        base = question_q1().current_version_id
        save(catalog, admin(), **RENAMED)
        question = question_q1()
        with pytest.raises(EditConflict):
            restore_version(question, version_of(question, 1), admin(), base)
        assert count(QuestionVersion) == 2


def test_two_saves_on_the_same_version_at_once_let_exactly_one_through(editor_app, catalog):
    with editor_app.app_context():
        base = question_q1().current_version_id

    def saving(**overrides):
        def prepare():
            return question_q1(), admin(), make_spec(catalog, **overrides)

        def act(question, author, spec):
            try:
                saved = save_question(question, spec, catalog, author, base)
                db.session.commit()
            except EditConflict:
                return "conflict"
            return saved.version.content["difficulty"]

        return prepare, act

    results = run_together(editor_app, [saving(difficulty=2), saving(difficulty=3)])
    assert sorted(results, key=str) in ([2, "conflict"], [3, "conflict"])
    with editor_app.app_context():
        assert count(QuestionVersion) == 2
        winner = next(result for result in results if result != "conflict")
        assert question_q1().current_version.content["difficulty"] == winner
        assert len(entries("question.edit")) == 1


def test_two_saves_of_different_fields_at_once_both_land_one_merged_over_the_other(
    editor_app, catalog
):
    with editor_app.app_context():
        base = question_q1().current_version_id

    def saving(**overrides):
        def prepare():
            return question_q1(), admin(), make_spec(catalog, **overrides)

        def act(question, author, spec):
            saved = save_question(question, spec, catalog, author, base)
            db.session.commit()
            return (saved.version.number, saved.merged_with is not None)

        return prepare, act

    results = run_together(editor_app, [saving(difficulty=2), saving(**RENAMED)])
    # Exactly one claimed version 1; the other merged over it.
    assert sorted(results) == [(2, False), (3, True)]
    with editor_app.app_context():
        content = question_q1().current_version.content
        assert (content["difficulty"], content["prompt"]) == (2, RENAMED["prompt"])
        assert count(QuestionVersion) == 3
        details = [entry.detail for entry in entries("question.edit")]
        assert [detail.get("merged_with") for detail in details] == [None, 2]


# Learners


def test_an_attempt_started_before_an_edit_keeps_the_version_it_drew(editor_app, catalog):
    with editor_app.app_context():
        first = question_q1().current_version_id
        attempt = start_attempt("learner-one", [BANK])
        attempt_id = attempt.id
        edited = save(catalog, admin(), **RENAMED).version
        db.session.expire_all()
        (item,) = db.session.get(type(attempt), attempt_id).items
        assert item.question_version_id == first
        (later,) = start_attempt("learner-two", [BANK]).items
        assert later.question_version_id == edited.id
