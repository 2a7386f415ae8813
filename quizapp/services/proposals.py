"""Teachers' proposals: drafts, submitting them, and an admin's decision.

A teacher cannot change a bank. They write a proposal in the question
editor instead: a new question, or an edit of one written against the
version they opened. It stays theirs alone while a draft; once submitted,
admins see it and publish it (it becomes a version, through the same
:func:`~quizapp.services.versions.create_question` or
:func:`~quizapp.services.versions.save_question` as an admin's own save, so
an edit written against an older version meets newer saves exactly as a
stale editor save would) or decline it with a note.

Every change of state is one conditional UPDATE on the proposal row, the
same guard as a question save: a teacher's edit racing an admin's
decision, or two admins deciding at once, cannot both go through.
Submitting, withdrawing, publishing and declining are in the audit log;
a draft is private and is not.

"Publishing" a proposal means accepting it into the bank; whether learners
get the version it makes is the question's own status, which the proposal
carries like any other field (see :func:`prospect`). The pages say which.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from quizapp.domain.banks import QuestionSpec, check_question
from quizapp.domain.export import content_digest
from quizapp.domain.problems import Problem
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.tags import TagVocabulary
from quizapp.extensions import db
from quizapp.models import Bank, Proposal, Question, QuestionVersion, User
from quizapp.models.content import utcnow
from quizapp.services.audit import record
from quizapp.services.versions import (
    EditConflict,
    KeyTaken,
    Saved,
    create_question,
    question_by_key,
    save_question,
)

#: A proposal still waiting for its author or for an admin.
UNDECIDED = ("draft", "proposed")
#: The longest note an admin may give with a decline.
NOTE_LENGTH = 2000


class NotAllowed(Exception):
    """Only an admin decides on a proposal, and only its author changes it."""


class ProposalChanged(Exception):
    """The proposal changed, or was decided, since the page acting on it was opened."""


class NothingProposed(Exception):
    """An edit whose content is the version it was written against: nothing to review."""


class ProposalInvalid(Exception):
    """The proposal no longer passes the bank format's rules (e.g. its article changed)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


def digest(proposal: Proposal) -> str:
    """What an admin's page read of the proposal, to publish exactly that and nothing newer."""
    return content_digest(proposal.content)


def may_see(user: User, proposal: Proposal) -> bool:
    """Its author always; admins once it has been submitted (a draft is private)."""
    return proposal.author_id == user.id or (user.is_admin and proposal.status != "draft")


def may_change(user: User, proposal: Proposal) -> bool:
    """Only its author, and only until an admin decides."""
    return proposal.author_id == user.id and proposal.status in UNDECIDED


def may_decide(user: User, proposal: Proposal) -> bool:
    """Any admin, once it is submitted and until it is decided."""
    return user.is_admin and proposal.status == "proposed"


def moved_on(proposal: Proposal) -> bool:
    """Whether the question was saved again since the version the proposal was written on."""
    question = proposal.question
    return question is not None and question.current_version_id != proposal.base_version_id


@dataclass(frozen=True)
class Prospect:
    """What publishing a proposal would make now: the version's number and status."""

    number: int
    status: str

    @property
    def offered(self) -> bool:
        """Whether learners would get that version."""
        return self.status == "published"


def prospect(proposal: Proposal) -> Prospect:
    """The version publishing ``proposal`` would make, as things stand.

    The status is the proposal's, unless it is an edit that left the status
    as it was and the question was saved again since: the merge then keeps
    the status saved meanwhile (a question retired meanwhile stays retired).
    Content the current version already has adds no version.
    """
    status = proposal.content.get("status", "published")
    question = proposal.question
    if question is None:
        return Prospect(1, status)
    current = question.current_version
    if moved_on(proposal) and status == proposal.base_version.content.get("status"):
        status = current.content.get("status", status)
    unchanged = current.digest == content_digest(proposal.content)
    return Prospect(current.number if unchanged else current.number + 1, status)


def _author_only(user: User, proposal: Proposal) -> None:
    if proposal.author_id != user.id:
        raise NotAllowed(proposal.id)


def _admin_only(user: User) -> None:
    if not user.is_admin:
        raise NotAllowed(user.name)


def _claim(proposal: Proposal, statuses: tuple[str, ...], since=None, **values) -> None:
    """Change the proposal row if it is still as loaded: one of ``statuses``, and last
    changed at ``since`` (by default, when it was read).

    Raises :class:`ProposalChanged` otherwise, with the transaction rolled
    back. As with a question save, the row stays locked until commit.
    """
    result = db.session.execute(
        update(Proposal)
        .where(
            Proposal.id == proposal.id,
            Proposal.status.in_(statuses),
            Proposal.updated_at == (since or proposal.updated_at),
        )
        .values(**values)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ProposalChanged(proposal.id)
    db.session.refresh(proposal)


def _log(actor: User, action: str, proposal: Proposal, **extra) -> None:
    detail = {"proposal": proposal.id, "key": proposal.key, "author": proposal.author.name}
    record(
        actor,
        action,
        bank=proposal.bank,
        question=extra.pop("question", proposal.question),
        version=extra.pop("version", None),
        detail=detail | extra,
    )


def save_proposal(
    author: User,
    spec: QuestionSpec,
    *,
    bank: Bank | None = None,
    question: Question | None = None,
    base: QuestionVersion | None = None,
    proposal: Proposal | None = None,
    submit: bool = False,
) -> Proposal:
    """Save a proposal as a draft, or submitted for review if ``submit``.

    A new proposal needs ``bank``, and ``question`` with ``base`` (the
    version the author opened) for an edit. An existing ``proposal`` (the
    author's own, undecided) gets ``spec``'s content; its question and base
    stay as they were. Raises :class:`KeyTaken` for a new question whose id
    the bank already has, :class:`NothingProposed` for an edit that changes
    nothing, and :class:`ProposalChanged` if an admin decided meanwhile.
    """
    if proposal is not None:
        _author_only(author, proposal)
        bank, question, base = proposal.bank, proposal.question, proposal.base_version
    if question is None and question_by_key(bank, spec.key) is not None:
        raise KeyTaken(spec.key)
    if base is not None and base.digest == content_digest(spec.content):
        raise NothingProposed(spec.key)
    status = "proposed" if submit else "draft"
    if proposal is None:
        proposal = Proposal(
            bank=bank,
            question=question,
            key=spec.key,
            base_version=base,
            content=spec.content,
            status=status,
            author=author,
        )
        db.session.add(proposal)
        db.session.flush()
        was = "draft"
    else:
        was = proposal.status
        _claim(proposal, UNDECIDED, updated_at=utcnow())
        proposal.key, proposal.content, proposal.status = spec.key, spec.content, status
    # Each submission is logged (a changed proposal is submitted again); a
    # proposal taken back to a draft leaves the admins' list, so that too.
    if submit:
        _log(author, "proposal.submit", proposal)
    elif was == "proposed":
        _log(author, "proposal.withdraw", proposal)
    return proposal


def submit(author: User, proposal: Proposal) -> None:
    """Send the author's draft to the admins."""
    _author_only(author, proposal)
    _claim(proposal, ("draft",), status="proposed", updated_at=utcnow())
    _log(author, "proposal.submit", proposal)


def withdraw(author: User, proposal: Proposal) -> None:
    """Take a submitted proposal back to a draft, off the admins' list."""
    _author_only(author, proposal)
    _claim(proposal, ("proposed",), status="draft", updated_at=utcnow())
    _log(author, "proposal.withdraw", proposal)


def discard(author: User, proposal: Proposal) -> None:
    """Delete a draft (never a submitted or decided proposal: those are on record)."""
    _author_only(author, proposal)
    _claim(proposal, ("draft",), updated_at=utcnow())
    db.session.delete(proposal)


def _checked_spec(
    proposal: Proposal, catalog: SourceCatalog, vocabulary: TagVocabulary | None
) -> QuestionSpec:
    """The proposal's content checked again: the articles or the tags may have changed."""
    raw = {"id": proposal.key, **proposal.content}
    spec, problems = check_question(raw, catalog, vocabulary)
    if problems:
        raise ProposalInvalid(problems)
    return spec


def _open_as_seen(proposal: Proposal, seen: str) -> None:
    if proposal.status != "proposed" or digest(proposal) != seen:
        raise ProposalChanged(proposal.id)


def publish(
    proposal: Proposal,
    admin: User,
    catalog: SourceCatalog,
    seen: str,
    vocabulary: TagVocabulary | None = None,
) -> Saved:
    """Make the proposal a version, if it is still what the admin read (``seen``).

    A new question is created. An edit is saved as the editor saves, over
    the version it was written on: merged with anything saved since, or
    :class:`~quizapp.services.versions.EditConflict` if both changed the
    same field (:class:`~quizapp.services.versions.KeyTaken` for a new
    question's id taken since), with nothing written. Content identical to
    the current version adds no version; the proposal is still published.
    """
    _admin_only(admin)
    _open_as_seen(proposal, seen)
    # Claimed after the save, on the time read now: the save may roll back
    # and retry (a merge), which would release an earlier claim.
    read_at = proposal.updated_at
    question, bank, base_id = proposal.question, proposal.bank, proposal.base_version_id
    spec = _checked_spec(proposal, catalog, vocabulary)
    try:
        if question is None:
            saved = Saved(create_question(bank, spec, catalog, admin), created=True)
        else:
            saved = save_question(question, spec, catalog, admin, base_id, vocabulary)
    except (KeyTaken, EditConflict):
        db.session.rollback()
        raise
    version = saved.version
    _claim(
        proposal,
        ("proposed",),
        read_at,
        status="published",
        decided_by_id=admin.id,
        decided_at=utcnow(),
        version_id=version.id,
    )
    _log(admin, "proposal.publish", proposal, question=version.question, version=version)
    return saved


def decline(proposal: Proposal, admin: User, note: str, seen: str) -> None:
    """Turn the proposal down, with ``note`` for its author."""
    _admin_only(admin)
    _open_as_seen(proposal, seen)
    note = note.strip()[:NOTE_LENGTH]
    _claim(
        proposal,
        ("proposed",),
        status="declined",
        decided_by_id=admin.id,
        decided_at=utcnow(),
        note=note,
    )
    _log(admin, "proposal.decline", proposal, note=note)


def _listed(query: Select) -> Select:
    return query.options(
        selectinload(Proposal.bank),
        selectinload(Proposal.question).selectinload(Question.current_version),
        selectinload(Proposal.base_version),
        selectinload(Proposal.version),
        selectinload(Proposal.author),
        selectinload(Proposal.decided_by),
    )


def open_proposals() -> list[Proposal]:
    """Every submitted proposal waiting for an admin, oldest first."""
    query = select(Proposal).filter_by(status="proposed").order_by(Proposal.updated_at, Proposal.id)
    return list(db.session.scalars(_listed(query)))


def open_count() -> int:
    """How many proposals wait for an admin."""
    return db.session.scalar(
        select(func.count()).select_from(Proposal).filter_by(status="proposed")
    )


def own_proposals(author: User) -> list[Proposal]:
    """The author's proposals, whatever became of them, latest change first."""
    query = (
        select(Proposal)
        .filter_by(author_id=author.id)
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    )
    return list(db.session.scalars(_listed(query)))
