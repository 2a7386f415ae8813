"""Retire a question, or bring it back, with one button on its page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.question_form import posted_base_version
from quizapp.auth.access import staff_required
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.services.retirement import StaleClick, retire_question, unretire_question


def _stale(stale: StaleClick, question: Question):
    flash(
        _(
            "Version %(number)d was saved by someone else since you opened this page, "
            "so nothing was changed. Here is the question as it is now.",
            number=stale.current.number,
        ),
        "error",
    )
    return redirect(url_for(".question", question_id=question.id))


@bp.post("/questions/<int:question_id>/retire")
@staff_required("admin")
def retire(question_id: int):
    """Retire the question: a new version, no longer offered to learners."""
    question = db.get_or_404(Question, question_id)
    base = posted_base_version()
    try:
        saved = retire_question(question, current_user, base)
        db.session.commit()
    except StaleClick as stale:
        return _stale(stale, question)
    if saved.created:
        message = _(
            "Retired as version %(number)d: it is no longer offered to learners.",
            number=saved.version.number,
        )
        flash(message, "success")
    else:
        flash(_("The question was already retired."), "info")
    return redirect(url_for(".question", question_id=question.id))


@bp.post("/questions/<int:question_id>/unretire")
@staff_required("admin")
def unretire(question_id: int):
    """Bring a retired question back with the status it had before."""
    question = db.get_or_404(Question, question_id)
    base = posted_base_version()
    try:
        saved = unretire_question(question, current_user, base)
        db.session.commit()
    except StaleClick as stale:
        return _stale(stale, question)
    if not saved.created:
        flash(_("The question is not retired."), "info")
    elif saved.version.status == "published":
        message = _(
            "Brought back as version %(number)d: learners are offered it again.",
            number=saved.version.number,
        )
        flash(message, "success")
    else:
        message = _(
            "Brought back as version %(number)d, a draft as it was before.",
            number=saved.version.number,
        )
        flash(message, "success")
    return redirect(url_for(".question", question_id=question.id))
