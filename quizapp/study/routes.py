"""Routes of self-study. Thin: the attempts service does the work.

Every page works without JavaScript: plain forms, Post/Redirect/Get. An
attempt is found by its random public id *and* the learner's cookie, so a
guessed or foreign id is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from wtforms.fields.choices import SelectChoice

from quizapp.answer_form import answer_options, response_messages
from quizapp.domain.numbers import whole_number_or
from quizapp.domain.question_types import ResponseError
from quizapp.domain.scoring import STATUSES
from quizapp.errors import expired_form_page
from quizapp.i18n import current_language
from quizapp.learners import ensure_learner_key, learner_key
from quizapp.models import Attempt, AttemptItem
from quizapp.services.attempts import (
    NotCurrent,
    NothingToDraw,
    attempt_objectives,
    attempt_summary,
    current_position,
    find_attempt,
    item_at,
    item_review,
    item_status,
    item_view,
    retry_missed,
    start_attempt,
    start_review,
    submit_answer,
)
from quizapp.services.catalog import objective_names
from quizapp.services.classes import is_check_attempt
from quizapp.services.content import bank_overview, quotes_of
from quizapp.services.learning import attempt_learning, learner_learning
from quizapp.services.progress import bank_trends, learner_attempts, objective_scores
from quizapp.study import bp
from quizapp.study.forms import AnswerForm, OneTimeForm, StartForm
from quizapp.study.reviews import review_context
from quizapp.study.timing import shown_note, time_taken_ms


def _own_attempt(public_id: str, whole: bool = False) -> Attempt:
    attempt = find_attempt(public_id, learner_key(), whole)
    if attempt is None:
        abort(404)
    return attempt


def _go_to_current(attempt: Attempt):
    position = current_position(attempt)
    if position is None:
        return redirect(url_for(".results", public_id=attempt.public_id))
    return redirect(url_for(".question", public_id=attempt.public_id, number=position + 1))


@bp.route("/start", methods=["GET", "POST"])
def start():
    """Choose banks, length and mode; a valid choice starts an attempt."""
    # The forms of the before/after check are kept for a class's check.
    banks = [summary for summary in bank_overview() if not summary.check_form]
    offered = [summary for summary in banks if summary.published]
    form = StartForm()
    # Every bank is a valid choice, so a bank emptied since the form was
    # shown gets our own message (NothingToDraw), not "not a valid choice".
    form.banks.choices = [SelectChoice(summary.bank.slug) for summary in banks]
    if request.method == "GET":
        form.banks.data = request.args.getlist("bank") or [s.bank.slug for s in offered][:1]
        form.token.data = secrets.token_urlsafe(16)
    elif form.validate_on_submit():
        length = form.length.data
        try:
            attempt = start_attempt(
                ensure_learner_key(),
                form.banks.data,
                length=length,
                mode=form.mode.data,
                confidence_enabled=form.confidence.data,
                request_token=form.token.data or None,
            )
        except NothingToDraw:
            form.banks.errors.append(_("These banks have no questions yet."))
        else:
            return redirect(url_for(".attempt", public_id=attempt.public_id))
    status = 422 if form.errors else 200
    return render_template("study/start.html", form=form, offered=offered), status


@bp.get("/<public_id>")
def attempt(public_id: str):
    """Continue an attempt where it was left: its current question, or its results."""
    return _go_to_current(_own_attempt(public_id))


def _render_question(
    attempt: Attempt,
    item: AttemptItem,
    values: list[str] = (),
    confidence: str | None = None,
    error: str | None = None,
    status: int = 200,
):
    """The question form, before the item is answered: no answer key in it."""
    form = AnswerForm()
    form.shown.data = shown_note(attempt.public_id, item.position)
    view = item_view(item)
    page = render_template(
        "study/question.html",
        attempt=attempt,
        item=item,
        view=view,
        options=answer_options(view),
        form=form,
        values=list(values),
        confidence=confidence,
        error=error,
    )
    return page, status


def _render_answered(attempt: Attempt, item: AttemptItem):
    """An answered item: its review in practice mode or once finished, else a note."""
    reveal = attempt.mode == "practice" or (
        attempt.finished_at is not None and not is_check_attempt(attempt)
    )
    next_position = current_position(attempt)
    return render_template(
        "study/answered.html",
        attempt=attempt,
        item=item,
        review=item_review(item) if reveal else None,
        view=item_view(item),
        quotes=quotes_of(item.question_version) if reveal else [],
        next_number=None if next_position is None else next_position + 1,
    )


@bp.get("/<public_id>/<int:number>")
def question(public_id: str, number: int):
    """Question ``number`` (from 1): the form if current, its result if answered."""
    attempt = _own_attempt(public_id)
    item = item_at(attempt, number - 1) or abort(404)
    if item.answer is not None:
        return _render_answered(attempt, item)
    if item.position != current_position(attempt):
        flash(_("Answer the questions in order; this is where you are."), "info")
        return _go_to_current(attempt)
    return _render_question(attempt, item)


@bp.post("/<public_id>/<int:number>")
def answer(public_id: str, number: int):
    """Record an answer (once), then show its feedback or go on (test mode)."""
    attempt = _own_attempt(public_id)
    item = item_at(attempt, number - 1) or abort(404)
    form = AnswerForm()
    values = request.form.getlist("answer")
    confidence = request.form.get("confidence")
    try:
        submission = submit_answer(
            attempt,
            item.position,
            values,
            whole_number_or(confidence),
            time_taken_ms(form.shown.data, attempt.public_id, item.position),
        )
    except NotCurrent as refused:
        flash(
            _(
                "That answer was not recorded: question %(number)d is not the current "
                "question. You are on question %(current)d.",
                number=number,
                current=refused.current + 1,
            ),
            "error",
        )
        return _go_to_current(attempt)
    except ResponseError as problem:
        message = response_messages()[problem.code]
        return _render_question(attempt, item, values, confidence, message, 422)
    if not submission.recorded and not submission.same_response:
        flash(_("You had already answered this question; your first answer stands."), "info")
    if attempt.mode == "test":  # no feedback yet: straight on to the next question
        return _go_to_current(attempt)
    return redirect(url_for(".question", public_id=public_id, number=number))


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A stale answer form: show the question again with the answer still filled in."""
    args = request.view_args or {}
    if request.endpoint == "study.answer":
        attempt = find_attempt(args.get("public_id", ""), learner_key())
        item = item_at(attempt, args.get("number", 0) - 1) if attempt else None
        if item is not None and item.answer is None:
            message = _(
                "This page was open so long that its security check expired. "
                "Your answer is still filled in: check it and submit again."
            )
            values = request.form.getlist("answer")
            return _render_question(
                attempt, item, values, request.form.get("confidence"), message, 400
            )
    return expired_form_page()


#: The results page's filters: which answer statuses each one lists.
RESULT_FILTERS = {
    "all": set(STATUSES),
    "missed": {"partly", "wrong", "confidently_wrong"},
    "confident": {"confidently_wrong"},
}


@bp.get("/<public_id>/results")
def results(public_id: str):
    """Score, certainty-based score, calibration, and a review of every question."""
    attempt = _own_attempt(public_id, whole=True)
    if attempt.finished_at is None:
        flash(_("Answer every question to see your results."), "info")
        return _go_to_current(attempt)
    # A class's check keeps its answers: half the class takes this form at the
    # check-out, so a key shown now could travel and void the comparison.
    check = is_check_attempt(attempt)
    statuses = {item.position: item_status(item) for item in attempt.items}
    show = request.args.get("show")
    if show not in RESULT_FILTERS:
        show = "all"
    reviews = [
        (item, item_review(item), quotes_of(item.question_version), statuses[item.position])
        for item in ([] if check else attempt.items)
        if statuses[item.position] in RESULT_FILTERS[show]
    ]
    form = OneTimeForm(token=secrets.token_urlsafe(16))
    names = objective_names(current_language())
    return render_template(
        "study/results.html",
        attempt=attempt,
        summary=attempt_summary(attempt),
        objectives=attempt_objectives(attempt, list(names)),
        objective_names=names,
        learning=attempt_learning(attempt),
        statuses=statuses,
        show=show,
        counts={
            name: sum(status in kept for status in statuses.values())
            for name, kept in RESULT_FILTERS.items()
        },
        reviews=reviews,
        check=check,
        form=form,
    )


@bp.post("/<public_id>/retry")
def retry(public_id: str):
    """Start a new attempt on the questions this one missed."""
    attempt = _own_attempt(public_id, whole=True)
    form = OneTimeForm()
    if attempt.finished_at is None or is_check_attempt(attempt):
        return _go_to_current(attempt)
    if not form.validate_on_submit():
        return _go_to_current(attempt)
    try:
        again = retry_missed(attempt, request_token=form.token.data or None)
    except NothingToDraw:
        flash(_("There is nothing to retry: every question was answered right."), "info")
        return redirect(url_for(".results", public_id=public_id))
    return redirect(url_for(".attempt", public_id=again.public_id))


@bp.post("/review")
def review():
    """Start a review of the questions due (see quizapp.domain.spacing)."""
    form = OneTimeForm()
    if not form.validate_on_submit() or not learner_key():
        return redirect(url_for("main.home"))
    try:
        attempt = start_review(learner_key(), request_token=form.token.data or None)
    except NothingToDraw:
        flash(_("Nothing is due for review now."), "info")
        return redirect(url_for("main.home"))
    return redirect(url_for(".attempt", public_id=attempt.public_id))


@bp.get("/progress")
def progress():
    """What to do next (reviews due, the weakest objectives), each bank's trend
    weakest first, and the attempts made in this browser, newest first."""
    names = objective_names(current_language())
    learner = learner_key()
    objectives = objective_scores(learner, list(names))
    return render_template(
        "study/progress.html",
        attempts=learner_attempts(learner),
        trends=bank_trends(learner),
        objectives=objectives,
        # Weak areas first: the objectives answered least well.
        weakest=sorted(objectives, key=lambda row: (row.percent, -row.answered))[:3],
        objective_names=names,
        learning=learner_learning(learner) if learner else None,
        **review_context(learner),
    )
