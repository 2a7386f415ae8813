"""Routes of the teacher's side of classes. Thin: the classes service does the work.

Every route needs a logged-in teacher or admin, and a class is only ever
found through :func:`quizapp.services.classes.teacher_class`, so another
teacher's class is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets

import segno
from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from quizapp import nickname_rules
from quizapp.auth.access import staff_required
from quizapp.classes import bp, reports
from quizapp.classes.forms import (
    ButtonForm,
    CheckForm,
    MergeForm,
    NewClassForm,
    RenameForm,
    StudyAssignmentForm,
)
from quizapp.domain.nicknames import NicknameError
from quizapp.domain.numbers import whole_number_or
from quizapp.extensions import db
from quizapp.i18n import pick
from quizapp.models import (
    Assignment,
    Attempt,
    ClassMember,
    MemberAttempt,
    SchoolClass,
)
from quizapp.models.classes import CHECK_PHASES
from quizapp.services import classes, member_export
from quizapp.services.content import bank_overview

#: Where a new re-entry code waits, in the teacher's session cookie, to be shown once.
NEW_CODE = "class_new_code"


def class_messages() -> dict[str, str]:
    """What to tell a teacher whose class action could not be done, per reason."""
    return {
        **nickname_rules.join_messages(),
        "taken": _("Someone in this class already has that nickname. Choose another."),
        "no_name": _("Give the class a name."),
        "not_mergeable": _("Choose another student of this class to merge into."),
        "no_forms": _(
            "The before/after check needs its two parallel forms, A and B, "
            "imported as active banks. Ask an admin to import them."
        ),
        "phase_exists": _("That part of the check is open already."),
        "phase_order": _("Open the check-in first, then the check-out, then the re-check."),
        "closed": _("That assignment is closed."),
        "gone": _(
            "That student is no longer in this class: they were merged into another "
            "student, removed, or their data was deleted."
        ),
    }


def phase_names() -> dict[str, str]:
    """The phases of the before/after check, as the pages name them."""
    return {
        "before": _("Check-in"),
        "after": _("Check-out"),
        "later": _("Delayed re-check"),
    }


def _own(class_id: str) -> SchoolClass:
    school_class = classes.teacher_class(current_user, class_id)
    if school_class is None:
        abort(404)
    return school_class


def _scoped_token(token: str | None, *scope: str) -> str | None:
    """A form's one-time token, made one per action: the same token sent to
    another action (or another class) starts nothing of that one's."""
    if not token:
        return None
    return hashlib.sha256(":".join((*scope, token)).encode()).hexdigest()


# --- the list of classes ----------------------------------------------------------


@bp.route("/classes/", methods=["GET", "POST"])
@staff_required()
def index():
    """The teacher's classes, and a form for a new one."""
    form = NewClassForm()
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(16)
    elif form.validate_on_submit():
        try:
            school_class = classes.create_class(
                current_user, form.name.data, _scoped_token(form.token.data, "class")
            )
        except classes.ClassError as problem:
            form.name.errors.append(class_messages()[problem.code])
        else:
            return redirect(url_for(".detail", class_id=school_class.public_id))
    status = 422 if form.errors else 200
    page = render_template(
        "classes/index.html", listings=classes.teacher_classes(current_user), form=form
    )
    return page, status


# --- the class page ---------------------------------------------------------------


def _study_form(form: StudyAssignmentForm | None = None) -> StudyAssignmentForm:
    # The forms of the before/after check are kept for the check itself.
    banks = [summary for summary in bank_overview() if not summary.check_form]
    if form is None:
        form = StudyAssignmentForm(formdata=None)
        form.token.data = secrets.token_urlsafe(16)
        form.banks.data = [s.bank.slug for s in banks if s.published][:1]
    form.banks.choices = [SelectChoice(summary.bank.slug) for summary in banks]
    form.offered = [summary for summary in banks if summary.published]
    return form


def _check_form(form: CheckForm | None = None) -> CheckForm:
    if form is None:
        form = CheckForm(formdata=None)
        form.token.data = secrets.token_urlsafe(16)
    return form


def _assignment_counts(school_class: SchoolClass) -> dict[int, dict]:
    """Per assignment: members who started it, who finished it, and per form."""
    rows = db.session.execute(
        select(
            MemberAttempt.assignment_id,
            MemberAttempt.form,
            func.count(),
            func.count(Attempt.finished_at),
        )
        .join(Attempt, Attempt.id == MemberAttempt.attempt_id)
        .join(Assignment, Assignment.id == MemberAttempt.assignment_id)
        .where(Assignment.class_id == school_class.id)
        .group_by(MemberAttempt.assignment_id, MemberAttempt.form)
    )
    counts: dict[int, dict] = {}
    for assignment_id, form, started, finished in rows:
        entry = counts.setdefault(assignment_id, {"started": 0, "finished": 0, "forms": {}})
        entry["started"] += started
        entry["finished"] += finished
        if form:
            entry["forms"][form] = started
    return counts


def _class_page(school_class: SchoolClass, status: int = 200, **context):
    """The class page; ``context`` carries forms with errors, notices and the
    per-member errors (``member_errors``: member id → {form: message})."""
    members = list(school_class.members)
    phases = classes.check_phases(school_class)
    shown_code = session.get(NEW_CODE) if status == 200 else None
    if shown_code and shown_code.get("class") == school_class.public_id:
        session.pop(NEW_CODE, None)
    else:
        shown_code = None
    page = render_template(
        "classes/detail.html",
        school_class=school_class,
        join_url=url_for("classes.join", code=school_class.join_token, _external=True),
        members=members,
        sessions=classes.class_sessions(school_class),
        assignments=[a for a in classes.class_assignments(school_class) if a.kind == "study"],
        counts=_assignment_counts(school_class),
        phases=phases,
        next_phase=next((p for p in CHECK_PHASES if p not in phases), None),
        has_forms=set(classes.form_banks()) >= {"A", "B"},
        phase_names=phase_names(),
        study_form=context.pop("study_form", None) or _study_form(),
        check_form=context.pop("check_form", None) or _check_form(),
        button=ButtonForm(),
        member_errors=context.pop("member_errors", {}),
        new_code=shown_code,
        **context,
    )
    return page, status


@bp.get("/classes/<class_id>")
@staff_required()
def detail(class_id: str):
    """The class page: its link, members, sessions, assignments and check."""
    return _class_page(_own(class_id))


@bp.get("/classes/<class_id>/qr.svg")
@staff_required()
def qr_code(class_id: str):
    """The class link as a QR code, drawn on the server (no third-party service)."""
    school_class = _own(class_id)
    url = url_for("classes.join", code=school_class.join_token, _external=True)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.get("/classes/<class_id>/report")
@staff_required()
def report(class_id: str):
    """What the class learned, on one page (see :mod:`quizapp.classes.reports`)."""
    return reports.report_page(_own(class_id))


# --- members ----------------------------------------------------------------------


def _member(school_class: SchoolClass, member_id: int) -> ClassMember:
    """The class's member ``member_id``; else the class page, saying the
    student is gone (a form left open while they were merged or removed)."""
    member = classes.member_of(school_class, member_id)
    if member is None:
        notice = ("error", class_messages()["gone"])
        abort(_make_response(*_class_page(school_class, 404, notices=[notice])))
    return member


def _make_response(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/html")


def _checked(form) -> None:
    """A member action's form must carry its CSRF token (400 otherwise)."""
    if not form.validate_on_submit():
        abort(400)


def _member_refused(school_class, member, form_name: str, message: str):
    errors = {member.id: {form_name: message}}
    return _class_page(school_class, 422, member_errors=errors)


@bp.post("/classes/<class_id>/members/<int:member_id>/rename")
@staff_required()
def rename_member(class_id: str, member_id: int):
    """Give a member another nickname."""
    school_class = _own(class_id)
    member = _member(school_class, member_id)
    form = RenameForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _member_refused(
            school_class, member, "rename", nickname_rules.join_messages()["too_long"]
        )
    try:
        classes.rename(member, form.nickname.data or "", nickname_rules.deny_list())
    except NicknameError as problem:
        db.session.rollback()
        return _member_refused(school_class, member, "rename", class_messages()[problem.code])
    flash(_("The student is now called %(nickname)s.", nickname=member.nickname), "status")
    return redirect(url_for(".detail", class_id=class_id, _anchor="members"))


@bp.post("/classes/<class_id>/members/<int:member_id>/code")
@staff_required()
def new_code(class_id: str, member_id: int):
    """Give a member a new re-entry code (the old one stops working), shown once."""
    school_class = _own(class_id)
    member = _member(school_class, member_id)
    _checked(ButtonForm())
    code = classes.new_code(member)
    session[NEW_CODE] = {
        "class": school_class.public_id,
        "nickname": member.nickname,
        "code": classes.shown_code(code),
    }
    return redirect(url_for(".detail", class_id=class_id))


@bp.post("/classes/<class_id>/members/<int:member_id>/merge")
@staff_required()
def merge_member(class_id: str, member_id: int):
    """Make this member part of another (two entries that are one student)."""
    school_class = _own(class_id)
    member = _member(school_class, member_id)
    form = MergeForm()
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    other_id = whole_number_or(form.into.data)
    into = classes.member_of(school_class, other_id) if other_id is not None else None
    if into is None:
        return _member_refused(school_class, member, "merge", class_messages()["not_mergeable"])
    merged = member.nickname
    try:
        classes.merge(into, member)
    except classes.ClassError as problem:
        db.session.rollback()
        return _member_refused(school_class, member, "merge", class_messages()[problem.code])
    flash(
        _(
            "%(other)s and %(nickname)s are one student now, called %(nickname)s.",
            other=merged,
            nickname=into.nickname,
        ),
        "status",
    )
    return redirect(url_for(".detail", class_id=class_id, _anchor="members"))


@bp.post("/classes/<class_id>/members/<int:member_id>/remove")
@staff_required()
def remove_member(class_id: str, member_id: int):
    """Take a member off the class; their answers stay, no longer linked to them."""
    school_class = _own(class_id)
    member = _member(school_class, member_id)
    _checked(ButtonForm())
    nickname = member.nickname
    classes.remove(member)
    flash(_("%(nickname)s was removed from the class.", nickname=nickname), "status")
    return redirect(url_for(".detail", class_id=class_id, _anchor="members"))


@bp.get("/classes/<class_id>/members/<int:member_id>/export")
@staff_required()
def export_member(class_id: str, member_id: int):
    """Everything the class holds of a member, as a JSON file."""
    school_class = _own(class_id)
    member = _member(school_class, member_id)
    text = json.dumps(
        member_export.member_export(school_class, member), ensure_ascii=False, indent=2
    )
    name = f"class-{school_class.public_id[:8]}-member-{member.id}.json"
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/classes/<class_id>/members/<int:member_id>/delete", methods=["GET", "POST"])
@staff_required()
def delete_member(class_id: str, member_id: int):
    """Delete a member and everything the class holds of them, after a confirmation."""
    school_class = _own(class_id)
    member = _member(school_class, member_id)
    form = ButtonForm()
    if request.method == "POST":
        _checked(form)
        nickname = member.nickname
        classes.delete_member_data(member)
        flash(_("%(nickname)s and their answers were deleted.", nickname=nickname), "status")
        return redirect(url_for(".detail", class_id=class_id, _anchor="members"))
    return render_template(
        "classes/delete.html",
        school_class=school_class,
        member=member,
        players=len(classes.member_player_ids(member)),
        attempts=len(classes.member_attempt_ids(member)),
        form=form,
    )


# --- assignments and the check ---------------------------------------------------------


@bp.post("/classes/<class_id>/assignments")
@staff_required()
def new_assignment(class_id: str):
    """Set self-study on chosen banks for the class."""
    school_class = _own(class_id)
    form = _study_form(StudyAssignmentForm())
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _class_page(school_class, 422, study_form=form)
    chosen = [s for s in form.offered if s.bank.slug in form.banks.data]
    if not chosen:
        form.banks.errors.append(_("These banks have no questions yet."))
        return _class_page(school_class, 422, study_form=form)
    title = (form.title.data or "").strip() or ", ".join(pick(s.bank.title) for s in chosen)
    classes.create_study(
        school_class,
        title,
        [summary.bank.slug for summary in chosen],
        length=form.length.data,
        mode=form.mode.data,
        confidence=form.confidence.data,
        request_token=_scoped_token(form.token.data, "study", school_class.public_id),
    )
    flash(_("The assignment is set. Members see it on the class page."), "status")
    return redirect(url_for(".detail", class_id=class_id, _anchor="assignments"))


def _assignment(school_class: SchoolClass, assignment_id: str) -> Assignment:
    assignment = classes.assignment_of(school_class, assignment_id)
    if assignment is None:
        abort(404)
    return assignment


@bp.post("/classes/<class_id>/assignments/<assignment_id>/close")
@staff_required()
def close_assignment(class_id: str, assignment_id: str):
    """Stop members starting the assignment (those who started can finish)."""
    assignment = _assignment(_own(class_id), assignment_id)
    _checked(ButtonForm())
    classes.close_assignment(assignment, True)
    return redirect(url_for(".detail", class_id=class_id, _anchor="assignments"))


@bp.post("/classes/<class_id>/assignments/<assignment_id>/reopen")
@staff_required()
def reopen_assignment(class_id: str, assignment_id: str):
    """Let members start the assignment again."""
    assignment = _assignment(_own(class_id), assignment_id)
    _checked(ButtonForm())
    classes.close_assignment(assignment, False)
    return redirect(url_for(".detail", class_id=class_id, _anchor="assignments"))


@bp.post("/classes/<class_id>/check/<phase>")
@staff_required()
def open_check(class_id: str, phase: str):
    """Open a phase of the before/after check: check-in, check-out, delayed re-check."""
    school_class = _own(class_id)
    if phase not in CHECK_PHASES:
        abort(404)
    form = CheckForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        classes.create_check(
            school_class,
            phase,
            counterbalanced=form.counterbalanced.data,
            request_token=_scoped_token(form.token.data, "check", phase, school_class.public_id),
        )
    except classes.ClassError as problem:
        db.session.rollback()
        notice = ("error", class_messages()[problem.code])
        return _class_page(school_class, 422, check_form=form, notices=[notice])
    flash(_("%(phase)s is open for the class.", phase=phase_names()[phase]), "status")
    return redirect(url_for(".detail", class_id=class_id, _anchor="check"))
