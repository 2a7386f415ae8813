"""Creating banks and changing their titles, descriptions and status from the editor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank
from quizapp.services.attempts import NothingToDraw, start_attempt
from quizapp.services.bank_edits import (
    BankConflict,
    BankExists,
    bank_by_slug,
    change_bank,
    create_bank,
)
from quizapp.services.content import bank_overview, published_by_bank
from tests.services.editing import admin
from tests.services.races import run_together

BANK = "test-bank"
TITLE = {"zh": "测试题库", "en": "Test bank"}
DESCRIPTION = {"zh": "用于测试。", "en": "For tests."}
RENAMED = {"zh": "新题库", "en": "New bank"}


def entries(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.filter_by(action=action)
    return list(db.session.scalars(query))


def set_status(status: str) -> None:
    bank = bank_by_slug(BANK)
    assert change_bank(bank, {"status": status}, bank.revision, admin())
    db.session.commit()


def offered_slugs() -> list[str]:
    return [summary.bank.slug for summary in bank_overview()]


# Creating


def test_a_new_bank_is_active_empty_and_logged(editor_app):
    with editor_app.app_context():
        bank = create_bank("new-bank", RENAMED, DESCRIPTION, admin())
        db.session.commit()
        assert (bank.status, bank.revision, bank.questions) == ("active", 1, [])
        (entry,) = entries("bank.create")
        assert (entry.actor.name, entry.bank.slug) == ("ada", "new-bank")
        assert entry.detail == {
            "after": {"title": RENAMED, "description": DESCRIPTION, "status": "active"}
        }


def test_a_bank_id_already_in_use_is_refused(editor_app):
    with editor_app.app_context():
        with pytest.raises(BankExists):
            create_bank(BANK, RENAMED, DESCRIPTION, admin())
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 1
        assert bank_by_slug(BANK).title == TITLE


# Changing


def test_a_new_title_bumps_the_revision_and_is_logged_before_and_after(editor_app):
    with editor_app.app_context():
        bank = bank_by_slug(BANK)
        assert change_bank(bank, {"title": RENAMED}, 1, admin())
        db.session.commit()
        assert (bank_by_slug(BANK).title, bank_by_slug(BANK).revision) == (RENAMED, 2)
        (entry,) = entries("bank.edit")
        assert entry.actor.name == "ada"
        assert entry.detail == {
            "before": {"title": TITLE, "description": DESCRIPTION, "status": "active"},
            "after": {"title": RENAMED, "description": DESCRIPTION, "status": "active"},
        }


def test_a_change_that_changes_nothing_returns_false_and_writes_nothing(editor_app):
    with editor_app.app_context():
        before = entries()
        bank = bank_by_slug(BANK)
        assert not change_bank(bank, {"title": dict(TITLE), "status": "active"}, 1, admin())
        db.session.commit()
        assert bank_by_slug(BANK).revision == 1
        assert entries() == before


def test_a_change_on_a_stale_revision_is_refused(editor_app):
    with editor_app.app_context():
        bank = bank_by_slug(BANK)
        change_bank(bank, {"title": RENAMED}, 1, admin())
        db.session.commit()
        with pytest.raises(BankConflict) as raised:
            change_bank(bank_by_slug(BANK), {"description": RENAMED}, 1, admin())
        assert raised.value.bank.revision == 2
        assert bank_by_slug(BANK).description == DESCRIPTION


def test_two_changes_on_the_same_revision_at_once_let_exactly_one_through(editor_app):
    def renaming(title: dict):
        def prepare():
            return bank_by_slug(BANK), admin()

        def act(bank, author):
            try:
                change_bank(bank, {"title": title}, 1, author)
                db.session.commit()
            except BankConflict:
                return "conflict"
            return title["en"]

        return prepare, act

    first, second = {"zh": "甲", "en": "A"}, {"zh": "乙", "en": "B"}
    results = run_together(editor_app, [renaming(first), renaming(second)])
    assert sorted(results) in (["A", "conflict"], ["B", "conflict"])
    with editor_app.app_context():
        bank = bank_by_slug(BANK)
        winner = next(result for result in results if result != "conflict")
        assert (bank.title["en"], bank.revision) == (winner, 2)
        assert len(entries("bank.edit")) == 1


# Retiring and reactivating


def test_a_retired_bank_is_no_longer_offered_to_learners(editor_app):
    with editor_app.app_context():
        bank_id = bank_by_slug(BANK).id
        assert offered_slugs() == [BANK] and bank_id in published_by_bank()
        set_status("retired")
        assert offered_slugs() == []
        assert bank_id not in published_by_bank()
        with pytest.raises(NothingToDraw):
            start_attempt("learner-one", [BANK])


def test_a_reactivated_bank_is_offered_again(editor_app):
    with editor_app.app_context():
        set_status("retired")
        set_status("active")
        assert offered_slugs() == [BANK]
        assert len(published_by_bank()[bank_by_slug(BANK).id]) == 1
        assert len(start_attempt("learner-one", [BANK]).items) == 1


def test_retiring_and_reactivating_are_logged_with_the_status_before_and_after(editor_app):
    with editor_app.app_context():
        set_status("retired")
        set_status("active")
        retire, reactivate = entries("bank.retire"), entries("bank.reactivate")
        assert [e.detail["before"]["status"] for e in retire + reactivate] == ["active", "retired"]
        assert [e.detail["after"]["status"] for e in retire + reactivate] == ["retired", "active"]
        assert entries("bank.edit") == []
        assert bank_by_slug(BANK).revision == 3
