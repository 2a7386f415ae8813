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

from quizapp.answer_form import (
    attempt_scope,
    choice_ids,
    opaque_options,
    opaque_values,
    response_messages,
)
from quizapp.domain.numbers import whole_number_or
from quizapp.domain.question_types import REGISTRY, ResponseError
from quizapp.domain.scoring import STATUSES
from quizapp.errors import expired_form_page
from quizapp.i18n import current_language
from quizapp.learners import ensure_learner_key, learner_key
from quizapp.models import Attempt, AttemptItem
from quizapp.services.attempts import (
    ClosedTest,
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
    save_draft,
    seconds_left,
    settle_expired_tests,
    settle_if_time_is_up,
    start_attempt,
    start_review,
    submit_answer,
    submit_test,
)
from quizapp.services.catalog import objective_names
from quizapp.services.classes import is_check_attempt
from quizapp.services.content import bank_overview, quotes_of
from quizapp.services.learning import attempt_learning, learner_learning
from quizapp.services.progress import bank_trends, learner_attempts, objective_progress
from quizapp.study import bp
from quizapp.study.forms import MAX_TIME_LIMIT, AnswerForm, OneTimeForm, StartForm, SubmitTestForm
from quizapp.study.reviews import review_context
from quizapp.study.timing import shown_note, time_taken_ms


@bp.context_processor
def test_helpers():
    return {"seconds_left": seconds_left}


def _own_attempt(public_id: str, whole: bool = False, settle: bool = True) -> Attempt:
    """The learner's attempt (404 if not theirs); a test whose time is up is
    submitted first, unless ``settle`` is False (a save still in its grace)."""
    attempt = find_attempt(public_id, learner_key(), whole)
    if attempt is None:
        abort(404)
    if settle and settle_if_time_is_up(attempt):
        _say_time_is_up()
        attempt = find_attempt(public_id, learner_key(), whole)
    return attempt


def _say_time_is_up() -> None:
    flash(_("Time is up: your test was submitted with the answers you had saved."), "info")


def _say_submitted() -> None:
    flash(_("This test is submitted: its answers can no longer change."), "info")


def _open_test(attempt: Attempt) -> bool:
    """A test not yet submitted: its questions are worked on like an exam paper."""
    return attempt.mode == "test" and attempt.finished_at is None


def _go_to_current(attempt: Attempt):
    position = current_position(attempt)
    if position is None:
        if _open_test(attempt):  # every question has an answer: time to check and submit
            return redirect(url_for(".test_overview", public_id=attempt.public_id))
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
                time_limit=form.time_limit.data if form.mode.data == "test" else None,
            )
        except NothingToDraw:
            form.banks.errors.append(_("These banks have no questions yet."))
        else:
            return redirect(url_for(".attempt", public_id=attempt.public_id))
    status = 422 if form.errors else 200
    page = render_template(
        "study/start.html", form=form, offered=offered, max_time_limit=MAX_TIME_LIMIT
    )
    return page, status


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
        options=opaque_options(view, _scope(attempt, item)),
        form=form,
        values=list(values),
        confidence=confidence,
        error=error,
        test=_open_test(attempt),
    )
    return page, status


def _scope(attempt: Attempt, item: AttemptItem) -> str:
    """What a choice's form value is bound to: this attempt's item."""
    return attempt_scope(attempt.public_id, item.position)


def _draft_values(attempt: Attempt, item: AttemptItem) -> tuple[list[str], str | None]:
    """A test item's saved draft as the form's values, to fill the form in again."""
    content = item.question_version.content
    values = REGISTRY[content["type"]].form_values(item.draft)
    confidence = None if item.draft_confidence is None else str(item.draft_confidence)
    return opaque_values(item_view(item), _scope(attempt, item), values), confidence


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
    if _open_test(attempt):  # any question, in any order, with what was saved
        return _render_question(attempt, item, *_draft_values(attempt, item))
    if item.position != current_position(attempt):
        flash(_("Answer the questions in order; this is where you are."), "info")
        return _go_to_current(attempt)
    return _render_question(attempt, item)


@bp.post("/<public_id>/<int:number>")
def answer(public_id: str, number: int):
    """Record an answer (once) and show its feedback; in a test, save it and go on."""
    attempt = _own_attempt(public_id, settle=False)
    item = item_at(attempt, number - 1) or abort(404)
    form = AnswerForm()
    values = request.form.getlist("answer")
    confidence = request.form.get("confidence")
    if attempt.mode == "test":
        return _save_test_answer(attempt, item, form, values, confidence)
    try:
        submission = submit_answer(
            attempt,
            item.position,
            choice_ids(item_view(item), _scope(attempt, item), values),
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
    return redirect(url_for(".question", public_id=public_id, number=number))


def _save_test_answer(attempt: Attempt, item: AttemptItem, form, values, confidence):
    """Save a test question's draft and flag, then go where the learner asked:
    the next or previous question, one by number, or the check before submitting."""
    if attempt.finished_at is not None:
        _say_submitted()
        return redirect(url_for(".results", public_id=attempt.public_id))
    if item.answer is not None:  # answered before tests kept drafts: it stands
        return redirect(url_for(".question", public_id=attempt.public_id, number=item.position + 1))
    go = request.form.get("go", "next")
    if go == "clear":
        values, confidence = [], None
    try:
        save_draft(
            attempt,
            item.position,
            choice_ids(item_view(item), _scope(attempt, item), values),
            whole_number_or(confidence),
            flagged=request.form.get("flag") == "1",
            time_taken_ms=time_taken_ms(form.shown.data, attempt.public_id, item.position),
        )
    except ClosedTest:
        if settle_if_time_is_up(attempt):
            _say_time_is_up()
        else:
            _say_submitted()
        return redirect(url_for(".results", public_id=attempt.public_id))
    except ResponseError as problem:
        if settle_if_time_is_up(attempt):  # no time to put it right: the test goes in
            _say_time_is_up()
            return redirect(url_for(".results", public_id=attempt.public_id))
        message = response_messages()[problem.code]
        return _render_question(attempt, item, values, confidence, message, 422)
    if settle_if_time_is_up(attempt):  # saved in the grace after the deadline
        _say_time_is_up()
        return redirect(url_for(".results", public_id=attempt.public_id))
    number = item.position + 1
    total = len(attempt.items)
    target = {"next": number + 1, "prev": number - 1, "clear": number}.get(go)
    if target is None:
        target = whole_number_or(go)
    if go == "review" or target is None or not 1 <= target <= total:
        return redirect(url_for(".test_overview", public_id=attempt.public_id))
    return redirect(url_for(".question", public_id=attempt.public_id, number=target))


@bp.get("/<public_id>/check")
def test_overview(public_id: str):
    """Before submitting a test: every question, answered or not and flagged
    or not, each a link back to it, and the button that submits."""
    attempt = _own_attempt(public_id)
    if not _open_test(attempt):
        return _go_to_current(attempt)
    items = attempt.items
    return render_template(
        "study/test_overview.html",
        attempt=attempt,
        items=items,
        unanswered=sum(item.answer is None and item.draft is None for item in items),
        flagged=sum(item.flagged for item in items if item.answer is None),
        unsure=sum(
            item.answer is None and item.draft is not None and item.draft_confidence is None
            for item in items
        )
        if attempt.confidence_enabled
        else 0,
        form=SubmitTestForm(),
    )


@bp.post("/<public_id>/submit")
def submit(public_id: str):
    """Submit a test: its drafts are marked, and the results are shown."""
    attempt = _own_attempt(public_id)
    form = SubmitTestForm()
    if _open_test(attempt) and form.validate_on_submit() and submit_test(attempt):
        flash(_("Your test is submitted."), "info")
    return _go_to_current(_own_attempt(public_id))


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
    "missed": {"partly", "wrong", "confidently_wrong", "unanswered"},
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
    settle_expired_tests(learner)  # a test whose time ran out is not "under way"
    objectives = objective_progress(learner, list(names))  # weakest first
    return render_template(
        "study/progress.html",
        attempts=learner_attempts(learner),
        trends=bank_trends(learner),
        objectives=objectives,
        weakest=[trend.overall for trend in objectives[:3]],
        objective_names=names,
        learning=learner_learning(learner) if learner else None,
        **review_context(learner),
    )
