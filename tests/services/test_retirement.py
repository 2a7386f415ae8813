"""Retiring a question and bringing it back: new versions, live versions, stale clicks, the log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Question
from quizapp.services.attempts import published_versions
from quizapp.services.retirement import (
    StaleClick,
    retire_question,
    state_before_retiring,
    unretire_question,
)
from quizapp.services.versions import save_question
from tests.services.editing import admin, make_spec

RENAMED = {"prompt": {"zh": "饼干后来怎么了?", "en": "What happened to the cookie later?"}}


def question_q1() -> Question:
    return db.session.scalar(select(Question).filter_by(key="q1"))


def retire_now():
    question = question_q1()
    saved = retire_question(question, admin(), question.current_version_id)
    db.session.commit()
    return saved


def unretire_now():
    question = question_q1()
    saved = unretire_question(question, admin(), question.current_version_id)
    db.session.commit()
    return saved


def test_retiring_adds_a_retired_version_and_takes_the_question_out(editor_app):
    with editor_app.app_context():
        saved = retire_now()
        question = question_q1()
        assert saved.created and (saved.version.number, saved.version.status) == (2, "retired")
        assert saved.version.origin == "retire" and saved.version.author.name == "ada"
        assert question.live_version is None and published_versions(["test-bank"]) == []
        entry = db.session.scalar(select(AuditEntry).filter_by(action="question.retire"))
        assert entry.version_id == saved.version.id
        assert entry.detail == {"from": 1, "to": 2, "status": "published"}


def test_bringing_back_a_published_question_publishes_it_again(editor_app):
    with editor_app.app_context():
        retire_now()
        saved = unretire_now()
        question = question_q1()
        assert (saved.version.number, saved.version.status) == (3, "published")
        assert saved.version.origin == "unretire"
        assert question.live_version_id == saved.version.id
        assert saved.version.content == {**question.versions[0].content}
        entry = db.session.scalar(select(AuditEntry).filter_by(action="question.unretire"))
        assert entry.detail == {"from": 2, "to": 3, "status": "published"}


def test_a_draft_comes_back_a_draft_with_the_published_version_live_again(editor_app, catalog):
    with editor_app.app_context():
        question = question_q1()
        spec = make_spec(catalog, status="draft", **RENAMED)
        save_question(question, spec, catalog, admin(), question.current_version_id)
        db.session.commit()
        retire_now()
        saved = unretire_now()
        question = question_q1()
        assert (saved.version.number, saved.version.status) == (4, "draft")
        assert saved.version.content["prompt"] == RENAMED["prompt"]
        assert question.live_version.number == 1  # as before the retirement


def test_a_click_on_a_page_older_than_the_question_changes_nothing(editor_app):
    with editor_app.app_context():
        question = question_q1()
        shown = question.current_version_id
        retire_now()
        question = question_q1()
        with pytest.raises(StaleClick) as stale:
            unretire_question(question, admin(), shown)
        assert stale.value.current.number == 2
        assert question_q1().current_version.status == "retired"
        assert len(question_q1().versions) == 2


def test_retiring_a_retired_question_or_bringing_back_a_live_one_adds_nothing(editor_app):
    with editor_app.app_context():
        assert not unretire_now().created
        retire_now()
        assert not retire_now().created
        assert len(question_q1().versions) == 2


class V:
    """A version as state_before_retiring reads it."""

    def __init__(self, number: int, status: str):
        self.number, self.status = number, status


def test_the_state_before_retiring_follows_what_learners_were_offered():
    published, draft = V(1, "published"), V(2, "draft")
    assert state_before_retiring([draft, published]) == ("draft", published)
    assert state_before_retiring([published]) == ("published", published)
    # A retirement earlier in the history had taken the published version out.
    assert state_before_retiring([V(3, "draft"), V(2, "retired"), published]) == ("draft", None)
    # Imported already retired: it comes back published.
    assert state_before_retiring([]) == ("published", None)
