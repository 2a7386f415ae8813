"""Routes of the teacher's side: thin, the classroom services do the work.

Every route needs a logged-in teacher or admin, and a session is found by
its public id *and* its teacher, so another teacher's session is a 404.
"""

from __future__ import annotations

import secrets
from datetime import UTC

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from quizapp.answer_form import verdict_labels
from quizapp.auth.access import staff_required
from quizapp.classroom import bp
from quizapp.classroom.forms import (
    ArchiveForm,
    DeleteSessionForm,
    NewSessionForm,
    RunAgainForm,
)
from quizapp.classroom.live import display_width, seconds_left, utc_iso
from quizapp.domain.live import DEFAULT_MAX_PLAYERS, OptionError, SessionOptions
from quizapp.i18n import current_language, pick
from quizapp.models import ClassSession
from quizapp.models.content import utcnow
from quizapp.services import classes
from quizapp.services import classroom as sessions
from quizapp.services.attempts import published_versions
from quizapp.services.content import offered_banks, published_by_bank
from quizapp.services.session_reports import (
    questions_csv,
    session_results,
    students_csv,
)


def _own(public_id: str, with_items: bool = False) -> ClassSession:
    session = sessions.teacher_session(current_user, public_id, with_items)
    if session is None:
        abort(404)
    sessions.settle(session)
    return session


bp.add_app_template_filter(utc_iso)
bp.add_app_template_filter(seconds_left)
bp.add_app_template_filter(display_width)


@bp.get("/")
@staff_required()
def dashboard():
    """The teacher's sessions, newest first (``?archived=1``: those set aside).

    Sessions left idle too long are ended here first, so the list says
    what is really running.
    """
    sessions.end_idle_sessions(current_user)
    archived = request.args.get("archived") == "1"
    return render_template(
        "classroom/dashboard.html",
        listings=sessions.teacher_sessions(current_user, archived=archived),
        archived=archived,
        again_form=RunAgainForm(token=secrets.token_urlsafe(16)),
        archive_form=ArchiveForm(),
    )


@bp.post("/<public_id>/archive")
@staff_required()
def archive(public_id: str):
    """Set a session aside (ending it if it runs), or bring it back."""
    session = _own(public_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    keep_aside = form.archived.data == "1"
    sessions.archive(session, keep_aside)
    if keep_aside:
        flash(_("The session was archived. Find it under “Archived”."), "info")
    else:
        flash(_("The session is back in the list."), "info")
    return redirect(url_for(".dashboard", archived="1" if not keep_aside else None))


@bp.route("/<public_id>/delete", methods=["GET", "POST"])
@staff_required()
def delete(public_id: str):
    """Delete an ended session with its players and answers, after a confirmation."""
    session = _own(public_id)
    form = DeleteSessionForm()
    if session.phase not in ("finished", "lobby"):
        flash(_("End the session before deleting it."), "error")
        return redirect(url_for(".results", public_id=public_id))
    if form.validate_on_submit():
        if form.confirm.data.strip() != session.title.strip():
            form.confirm.errors.append(_("Type the session's title exactly to delete it."))
        else:
            sessions.delete_session(session)
            flash(_("The session and its answers were deleted."), "info")
            return redirect(url_for(".dashboard"))
    status = 422 if form.errors else 200
    return render_template("classroom/delete.html", session=session, form=form), status


def _options(form: NewSessionForm) -> SessionOptions | None:
    try:
        return SessionOptions(
            pacing=form.pacing.data,
            time_limit=form.time_limit.data if form.pacing.data == "teacher" else None,
            scoring=form.scoring.data,
            late_join=form.late_join.data,
            leaderboard=form.leaderboard.data,
            nicknames=form.nicknames.data,
            shuffle=form.shuffle.data,
            max_players=form.max_players.data or DEFAULT_MAX_PLAYERS,
            discussion=form.discussion.data,
            scoreboard=form.scoreboard.data,
            auto_close=form.auto_close.data,
            approve_names=form.approve_names.data,
            bank_times=form.bank_times.data,
        )
    except OptionError as problem:
        messages = {
            "scoring": _("The speed bonus needs teacher pacing and a time limit."),
        }
        getattr(form, problem.field).errors.append(messages.get(problem.field, str(problem)))
        return None


def _deadline(form: NewSessionForm):
    """The deadline in UTC (typed in the app's time zone), or None."""
    if form.pacing.data != "student" or form.deadline.data is None:
        return None
    moment = form.deadline.data.replace(tzinfo=get_timezone()).astimezone(UTC)
    if moment <= utcnow():
        form.deadline.errors.append(_("The deadline has passed already."))
    return moment


@bp.route("/new", methods=["GET", "POST"])
@staff_required()
def new():
    """Choose questions and options; a valid choice creates the session's lobby."""
    banks = offered_banks()
    by_bank = published_by_bank()
    offered = [version for summary in banks for version in by_bank.get(summary.bank.id, [])]
    form = NewSessionForm()
    form.banks.choices = [SelectChoice(summary.bank.slug) for summary in banks]
    form.questions.choices = [SelectChoice(version.id) for version in offered]
    form.school_class.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(listing.school_class.public_id, listing.school_class.name)
        for listing in classes.teacher_classes(current_user)
    ]
    if request.method == "GET":
        form.banks.data = request.args.getlist("bank")
        form.token.data = secrets.token_urlsafe(16)
        wanted = request.args.get("class", "")
        if any(choice.value == wanted for choice in form.school_class.choices):
            form.school_class.data = wanted
    elif form.validate_on_submit():
        chosen = set(form.questions.data or ())
        if chosen:
            versions = [version for version in offered if version.id in chosen]
        else:
            versions = published_versions(form.banks.data or [])
        if not versions:
            form.banks.errors.append(_("Choose at least one bank or question."))
        options = _options(form)
        deadline = _deadline(form)
        if versions and options and not form.errors:
            titles = [pick(s.bank.title) for s in banks if s.bank.slug in (form.banks.data or [])]
            title = (form.title.data or "").strip() or ", ".join(titles) or _("Classroom quiz")
            school_class = form.school_class.data or None
            session = sessions.create_session(
                current_user,
                title,
                versions,
                options,
                deadline=deadline,
                request_token=form.token.data or None,
                school_class=school_class and classes.teacher_class(current_user, school_class),
            )
            return redirect(url_for(".host", public_id=session.public_id))
    status = 422 if form.errors else 200
    page = render_template("classroom/new.html", form=form, banks=banks, by_bank=by_bank)
    return page, status


@bp.post("/<public_id>/again")
@staff_required()
def run_again(public_id: str):
    """A new session with the same questions and options as a past one."""
    old = _own(public_id, with_items=True)
    form = RunAgainForm()
    if not form.validate_on_submit():
        abort(400)
    session = sessions.create_session(
        current_user,
        old.title,
        [item.question_version for item in old.items],
        sessions.options_of(old),
        request_token=form.token.data or None,
        school_class=classes.class_of_session(old),
    )
    return redirect(url_for(".host", public_id=session.public_id))


@bp.get("/<public_id>/results")
@staff_required()
def results(public_id: str):
    """Per student and per question, with links to the CSV files."""
    session = _own(public_id)
    return render_template(
        "classroom/results.html",
        session=session,
        options=sessions.options_of(session),
        results=session_results(session),
        again_form=RunAgainForm(token=secrets.token_urlsafe(16)),
        school_class=classes.class_of_session(session),
    )


def csv_labels() -> dict[str, str]:
    """Column titles and cell words of the CSV files, in the interface language."""
    return {
        "nickname": _("Nickname"),
        "points": _("Points"),
        "right": _("Right"),
        "answered": _("Answered"),
        "absent": _("Absent"),
        "time": _("Time (s)"),
        "removed": _("Removed"),
        "yes": _("yes"),
        # The words in the cells, one per result kind.
        "cell_right": _("right"),
        "cell_partly": _("partly right"),
        "cell_wrong": _("wrong"),
        "cell_absent": _("absent"),
        "cell_missed": _("no answer"),
        "cell_waiting": _("not yet"),
        "question": _("Question"),
        "round": _("Round"),
        "share_right": _("Share right"),
        "distribution": _("Answers"),
        "true": _("True"),
        "false": _("False"),
        **verdict_labels(),
    }


def _csv_response(text: str, name: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/<public_id>/students.csv")
@staff_required()
def students_export(public_id: str):
    """One row per student (UTF-8 with BOM, for spreadsheet programs)."""
    session = _own(public_id)
    text = students_csv(session_results(session), csv_labels())
    return _csv_response(text, f"session-{session.public_id[:8]}-students.csv")


@bp.get("/<public_id>/questions.csv")
@staff_required()
def questions_export(public_id: str):
    """One row per question and round (UTF-8 with BOM)."""
    session = _own(public_id)
    text = questions_csv(session_results(session), csv_labels(), current_language())
    return _csv_response(text, f"session-{session.public_id[:8]}-questions.csv")
