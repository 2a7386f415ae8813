"""Teachers' proposals: drafts, submitting, publishing, declining, and stale bases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Proposal, Question, QuestionVersion, User
from quizapp.services import proposals
from quizapp.services.versions import (
    EditConflict,
    KeyTaken,
    Saved,
    create_question,
    save_question,
)
from tests.services.editing import admin, make_spec
from tests.services.races import run_together

RENAMED = {"prompt": {"zh": "饼干后来怎么了?", "en": "What happened to the cookie later?"}}
EXPLAINED = {
    "explanation": {"zh": "OpenAI 自己承认的局限。", "en": "A limit OpenAI itself admits."}
}


def make_teacher(name: str = "ms-li") -> User:
    """A teacher account (a dummy hash: nobody logs in here)."""
    teacher = User(name=name, role="teacher", password_hash="not-a-real-hash")
    db.session.add(teacher)
    db.session.commit()
    return teacher


def teacher(name: str = "ms-li") -> User:
    return db.session.scalar(select(User).filter_by(name=name))


def bank() -> Bank:
    return db.session.scalar(select(Bank).filter_by(slug="test-bank"))


def question_q1() -> Question:
    return db.session.scalar(select(Question).filter_by(key="q1"))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    """The log since the bank was imported, oldest first."""
    query = select(AuditEntry.action).where(AuditEntry.action != "banks.import")
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def propose_edit(catalog, author: User, submit: bool = True, **overrides) -> Proposal:
    """``author`` proposes ``overrides`` to q1, written on its current version; committed."""
    question = question_q1()
    proposal = proposals.save_proposal(
        author,
        make_spec(catalog, **overrides),
        bank=question.bank,
        question=question,
        base=question.current_version,
        submit=submit,
    )
    db.session.commit()
    return proposal


def propose_new(catalog, author: User, key: str = "q2", submit: bool = True) -> Proposal:
    proposal = proposals.save_proposal(
        author, make_spec(catalog, id=key), bank=bank(), submit=submit
    )
    db.session.commit()
    return proposal


def publish(catalog, proposal: Proposal, by: User | None = None) -> Saved:
    """An admin publishes ``proposal`` as their page showed it; committed."""
    published = proposals.publish(proposal, by or admin(), catalog, proposals.digest(proposal))
    db.session.commit()
    return published


@pytest.fixture
def desk(editor_app):
    """The editor's bank and admin, and a teacher."""
    with editor_app.app_context():
        make_teacher()
    return editor_app


# Drafts and submitting


def test_a_draft_keeps_its_content_and_base_and_stays_out_of_the_log(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), submit=False, **RENAMED)
        assert proposal.status == "draft"
        assert proposal.content["prompt"] == RENAMED["prompt"]
        assert proposal.base_version_id == question_q1().current_version_id
        assert (proposal.key, proposal.author.name) == ("q1", "ms-li")
        assert actions() == [] and count(QuestionVersion) == 1


def test_a_draft_is_seen_by_its_author_only_and_a_submitted_one_by_admins_too(desk, catalog):
    with desk.app_context():
        other = make_teacher("mr-wu")
        proposal = propose_edit(catalog, teacher(), submit=False, **RENAMED)
        assert proposals.may_see(teacher(), proposal)
        assert not proposals.may_see(admin(), proposal)
        assert not proposals.may_see(other, proposal)
        proposals.submit(teacher(), proposal)
        db.session.commit()
        assert proposals.may_see(admin(), proposal)
        assert not proposals.may_see(other, proposal)


def test_submitting_a_draft_puts_it_on_the_admins_list_and_in_the_log(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), submit=False, **RENAMED)
        assert proposals.open_proposals() == []
        proposals.submit(teacher(), proposal)
        db.session.commit()
        assert proposals.open_proposals() == [proposal] and proposals.open_count() == 1
        (entry,) = db.session.scalars(select(AuditEntry).filter_by(action="proposal.submit"))
        assert (entry.action, entry.actor.name, entry.question.key) == (
            "proposal.submit",
            "ms-li",
            "q1",
        )
        assert entry.detail == {"proposal": proposal.id, "key": "q1", "author": "ms-li"}


def test_the_author_changes_a_submitted_proposal_and_a_draft_again_withdraws_it(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        proposals.save_proposal(
            teacher(), make_spec(catalog, difficulty=2), proposal=proposal, submit=False
        )
        db.session.commit()
        assert (proposal.status, proposal.content["difficulty"]) == ("draft", 2)
        assert proposals.open_proposals() == []
        assert actions() == ["proposal.submit", "proposal.withdraw"]


def test_another_teacher_cannot_change_submit_or_delete_someone_elses_proposal(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), submit=False, **RENAMED)
        other = make_teacher("mr-wu")
        with pytest.raises(proposals.NotAllowed):
            proposals.save_proposal(other, make_spec(catalog, difficulty=3), proposal=proposal)
        with pytest.raises(proposals.NotAllowed):
            proposals.submit(other, proposal)
        with pytest.raises(proposals.NotAllowed):
            proposals.discard(other, proposal)
        db.session.rollback()
        assert (proposal.status, proposal.content["prompt"]) == ("draft", RENAMED["prompt"])


def test_an_edit_that_changes_nothing_is_refused(desk, catalog):
    with desk.app_context():
        with pytest.raises(proposals.NothingProposed):
            propose_edit(catalog, teacher())
        db.session.rollback()
        assert count(Proposal) == 0


def test_a_new_question_with_an_id_the_bank_has_is_refused_when_saved(desk, catalog):
    with desk.app_context():
        with pytest.raises(KeyTaken):
            propose_new(catalog, teacher(), key="q1")
        db.session.rollback()
        assert count(Proposal) == 0


def test_a_draft_can_be_deleted_but_a_submitted_proposal_cannot(desk, catalog):
    with desk.app_context():
        draft = propose_edit(catalog, teacher(), submit=False, **RENAMED)
        submitted = propose_edit(catalog, teacher(), difficulty=3)
        proposals.discard(teacher(), draft)
        db.session.commit()
        with pytest.raises(proposals.ProposalChanged):
            proposals.discard(teacher(), submitted)
        assert db.session.scalars(select(Proposal.id)).all() == [submitted.id]


# Publishing and declining


def test_publishing_an_edit_makes_the_next_version_and_logs_it(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        published = publish(catalog, proposal)
        question = question_q1()
        assert published.created and question.current_version_id == published.version.id
        assert question.current_version.number == 2
        assert question.current_version.content["prompt"] == RENAMED["prompt"]
        assert (proposal.status, proposal.version_id) == ("published", published.version.id)
        assert (proposal.decided_by.name, proposal.decided_at is not None) == ("ada", True)
        assert actions() == ["proposal.submit", "question.edit", "proposal.publish"]
        entry = db.session.scalar(select(AuditEntry).filter_by(action="proposal.publish"))
        assert (entry.actor.name, entry.version_id) == ("ada", published.version.id)
        assert entry.detail["author"] == "ms-li"
        assert proposals.open_proposals() == []


def test_publishing_a_new_question_creates_it_at_the_end_of_the_bank(desk, catalog):
    with desk.app_context():
        proposal = propose_new(catalog, teacher())
        published = publish(catalog, proposal)
        assert published.created and published.version.number == 1
        assert [q.key for q in bank().questions] == ["q1", "q2"]
        assert proposal.question_id is None and proposal.version.question.key == "q2"
        assert actions() == ["proposal.submit", "question.create", "proposal.publish"]


def test_declining_changes_no_question_and_keeps_the_note_for_the_teacher(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        proposals.decline(
            proposal, admin(), "  Please cite the English report.  ", proposals.digest(proposal)
        )
        db.session.commit()
        assert (proposal.status, proposal.note) == ("declined", "Please cite the English report.")
        assert proposal.decided_by.name == "ada" and proposal.version_id is None
        assert count(QuestionVersion) == 1
        assert actions() == ["proposal.submit", "proposal.decline"]
        entry = db.session.scalar(select(AuditEntry).filter_by(action="proposal.decline"))
        assert entry.detail["note"] == "Please cite the English report."


def test_a_teacher_cannot_publish_or_decline(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        with pytest.raises(proposals.NotAllowed):
            publish(catalog, proposal, by=teacher())
        with pytest.raises(proposals.NotAllowed):
            proposals.decline(proposal, teacher(), "", proposals.digest(proposal))
        db.session.rollback()
        assert proposal.status == "proposed" and count(QuestionVersion) == 1


def test_a_decided_proposal_cannot_be_changed_decided_again_or_withdrawn(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        seen = proposals.digest(proposal)
        proposals.decline(proposal, admin(), "", seen)
        db.session.commit()
        with pytest.raises(proposals.ProposalChanged):
            proposals.publish(proposal, admin(), catalog, seen)
        with pytest.raises(proposals.ProposalChanged):
            proposals.withdraw(teacher(), proposal)
        with pytest.raises(proposals.ProposalChanged):
            proposals.save_proposal(teacher(), make_spec(catalog, difficulty=2), proposal=proposal)
        db.session.rollback()
        assert proposal.status == "declined" and count(QuestionVersion) == 1


def test_a_proposal_changed_since_the_admin_read_it_is_not_published(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        seen = proposals.digest(proposal)
        proposals.save_proposal(
            teacher(), make_spec(catalog, difficulty=3), proposal=proposal, submit=True
        )
        db.session.commit()
        with pytest.raises(proposals.ProposalChanged):
            proposals.publish(proposal, admin(), catalog, seen)
        db.session.rollback()
        assert proposal.status == "proposed" and count(QuestionVersion) == 1


def test_a_new_question_whose_id_was_taken_since_is_not_published(desk, catalog):
    with desk.app_context():
        proposal = propose_new(catalog, teacher())
        create_question(bank(), make_spec(catalog, id="q2", **RENAMED), catalog, admin())
        db.session.commit()
        with pytest.raises(KeyTaken):
            publish(catalog, proposal)
        assert proposal.status == "proposed"
        assert db.session.get(Question, 2).current_version.content["prompt"] == RENAMED["prompt"]
        assert actions() == ["proposal.submit", "question.create"]


# A proposal written on a version that is no longer current


def save_q1(catalog, **overrides) -> None:
    """An admin saves q1 in the editor meanwhile."""
    question = question_q1()
    spec = make_spec(catalog, **overrides)
    save_question(question, spec, catalog, admin(), question.current_version_id)
    db.session.commit()


def test_a_proposal_whose_field_was_changed_since_is_a_conflict_and_stays_open(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        save_q1(catalog, prompt={"zh": "饼干呢?", "en": "And the cookie?"})
        assert proposals.moved_on(proposal)
        with pytest.raises(EditConflict) as raised:
            publish(catalog, proposal)
        assert (raised.value.base.number, raised.value.current.number) == (1, 2)
        db.session.rollback()
        assert proposal.status == "proposed" and proposal.version_id is None
        assert question_q1().current_version.content["prompt"]["en"] == "And the cookie?"
        assert count(QuestionVersion) == 2
        assert "proposal.publish" not in actions()


def test_a_proposal_on_an_older_version_is_merged_with_what_was_saved_since(desk, catalog):
    with desk.app_context():
        proposal = propose_edit(catalog, teacher(), **RENAMED)
        save_q1(catalog, **EXPLAINED)
        published = publish(catalog, proposal)
        content = published.version.content
        assert (published.version.number, proposal.status) == (3, "published")
        assert published.merged_with.number == 2
        assert content["prompt"] == RENAMED["prompt"]
        assert content["explanation"] == EXPLAINED["explanation"]
        assert proposal.version_id == published.version.id


def test_of_two_admins_publishing_at_once_one_publishes(desk, catalog):
    with desk.app_context():
        proposal_id = propose_edit(catalog, teacher(), **RENAMED).id
        make_teacher("bo").role = "admin"
        db.session.commit()

    def publishing(name):
        def prepare():
            proposal = db.session.get(Proposal, proposal_id)
            return proposal, db.session.scalar(select(User).filter_by(name=name))

        def act(proposal, by):
            try:
                return publish(catalog, proposal, by).version.number
            except proposals.ProposalChanged:
                return "changed"

        return prepare, act

    results = run_together(desk, [publishing("ada"), publishing("bo")])
    assert sorted(results, key=str) == [2, "changed"]
    with desk.app_context():
        assert count(QuestionVersion) == 2
        assert actions().count("proposal.publish") == 1
