"""Retiring a question and bringing it back, each in one action from its page.

Both add a version (history is never rewritten) and carry the version the
page showed: a click on a page that is out of date is refused, through the
same conditional UPDATE as a save (see :mod:`quizapp.services.versions`),
so nobody retires a question on the strength of text they have not seen.

Bringing a question back restores the state it was in before it was
retired: the status of the version before the retirement (``published``
if there never was one), and, when that was a draft, the published
version that learners were getting meanwhile.
"""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion, User
from quizapp.services.audit import record
from quizapp.services.banks import add_version, retire
from quizapp.services.versions import Saved, _claim


class StaleClick(Exception):
    """The question was changed since the page with the button was shown."""

    def __init__(self, question: Question):
        super().__init__(f"question {question.id} is at version {question.current_version.number}")
        self.question = question

    @property
    def current(self) -> QuestionVersion:
        """The version saved meanwhile."""
        return self.question.current_version


def _take(question: Question, base_version_id: int) -> QuestionVersion:
    """Lock ``question`` if it is still at ``base_version_id``; its current version."""
    if not _claim(question, base_version_id):
        raise StaleClick(question)
    return question.current_version


def retire_question(question: Question, author: User, base_version_id: int) -> Saved:
    """Retire ``question`` with a new version, if the page showed its current one.

    Raises :class:`StaleClick` otherwise; an already retired question is left as it is.
    """
    current = _take(question, base_version_id)
    if current.status == "retired":
        return Saved(current, created=False)
    version = retire(question, author)
    detail = {"from": current.number, "to": version.number, "status": current.status}
    record(author, "question.retire", question=question, version=version, detail=detail)
    return Saved(version, created=True)


def state_before_retiring(earlier: list[QuestionVersion]) -> tuple[str, QuestionVersion | None]:
    """The status to bring a question back with, and the version that was live then.

    ``earlier`` is the versions before the retirement, newest first. Which
    version is live follows :func:`quizapp.services.banks.add_version`: the
    latest published one, unless a retirement came after it.
    """
    status = next((v.status for v in earlier if v.status != "retired"), "published")
    live = None
    for version in earlier:
        if version.status == "retired":
            break
        if version.status == "published":
            live = version
            break
    return status, live


def unretire_question(question: Question, author: User, base_version_id: int) -> Saved:
    """Bring a retired ``question`` back as it was before, with a new version."""
    current = _take(question, base_version_id)
    if current.status != "retired":
        return Saved(current, created=False)
    earlier = db.session.scalars(
        select(QuestionVersion)
        .filter_by(question_id=question.id)
        .where(QuestionVersion.number < current.number)
        .order_by(QuestionVersion.number.desc())
    ).all()
    status, live = state_before_retiring(list(earlier))
    passages = [citation.passage for citation in current.citations]
    content = {**current.content, "status": status}
    version = add_version(question, content, passages, "unretire", author)
    if status == "draft":
        # A draft leaves the live version alone, and the retirement had cleared it.
        question.live_version = live
    detail = {"from": current.number, "to": version.number, "status": status}
    record(author, "question.unretire", question=question, version=version, detail=detail)
    return Saved(version, created=True)
