"""Routes of the students' side of classes: joining, coming back, the class home.

A student is a member of a class through the token this browser keeps
(:mod:`quizapp.classes.members`); another browser becomes the same member
with the re-entry code. A wrong class link or a wrong code counts against
the address's limit on wrong codes (see :mod:`quizapp.throttle`), shared
with the session codes: both are secrets a guesser would try.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from quizapp import learners, nickname_rules, throttle
from quizapp.classes import bp, members
from quizapp.classes.forms import ButtonForm, ClassJoinForm, ReentryForm, StartForm
from quizapp.classes.routes import class_messages, phase_names
from quizapp.domain.nicknames import NicknameError
from quizapp.models import SchoolClass
from quizapp.services import classes
from quizapp.services.attempts import NothingToDraw, attempt_summary
from quizapp.urls import safe_next


def _class_by_link(code: str) -> SchoolClass:
    """The class whose link carries ``code``; else 404, counted as a wrong code."""
    school_class = classes.class_by_join_token(code)
    if school_class is None:
        throttle.failed()
        abort(404)
    return school_class


def _next() -> str:
    """Where to go after joining (a page of this site only), or ""."""
    return safe_next(request.values.get("next"), fallback="")


def _home(school_class: SchoolClass) -> str:
    return url_for("classes.join", code=school_class.join_token)


def _become(school_class: SchoolClass, member, code: str) -> None:
    """This browser is ``member`` from now on, in the class and in self-study."""
    members.remember(school_class, member, code)
    learners.adopt_learner_key(member.learner_key)


@bp.route("/c/<code>", methods=["GET", "POST"])
@throttle.join_codes
def join(code: str):
    """The class link: join with a nickname or come back with a code; for a
    member, the class home."""
    school_class = _class_by_link(code)
    member = members.member_here(school_class)
    target = _next()
    if member is not None:
        if target:
            return redirect(target)
        if request.method == "POST":
            return redirect(_home(school_class))
        return _member_home(school_class, member)
    join_form = ClassJoinForm(formdata=None, next=target)
    reentry_form = ReentryForm(formdata=None, next=target)
    if request.method == "POST" and "reentry_code" in request.form:
        reentry_form = ReentryForm()
        if reentry_form.validate_on_submit():
            typed = reentry_form.reentry_code.data
            member = classes.reenter(school_class, typed)
            if member is not None:
                _become(school_class, member, typed)
                return redirect(target or _home(school_class))
            throttle.failed()
            reentry_form.reentry_code.errors.append(
                _("That code is not right. Check it, or ask your teacher for a new one.")
            )
    elif request.method == "POST":
        join_form = ClassJoinForm()
        if join_form.validate_on_submit():
            try:
                member, new_code = classes.join(
                    school_class,
                    join_form.nickname.data or "",
                    nickname_rules.deny_list(),
                    learner_key=learners.learner_key(),
                )
            except NicknameError as refused:
                join_form.nickname.errors.append(class_messages()[refused.code])
            else:
                _become(school_class, member, new_code)
                return redirect(
                    url_for(".my_code", code=school_class.join_token, new=1, next=target or None)
                )
        elif not join_form.csrf_token.errors:
            join_form.nickname.errors.append(class_messages()["too_long"])
    if join_form.csrf_token.errors or reentry_form.csrf_token.errors:
        abort(400)
    status = 422 if join_form.errors or reentry_form.errors else 200
    page = render_template(
        "classes/join.html",
        school_class=school_class,
        join_form=join_form,
        reentry_form=reentry_form,
    )
    return page, status


def _member_home(school_class: SchoolClass, member, status: int = 200, notices=()):
    """The class home of a member: their live sessions and assignments."""
    links = classes.member_attempts(member)
    assignments = []
    for assignment in classes.class_assignments(school_class):
        link = links.get(assignment.id)
        attempt = link.attempt if link is not None else None
        percent = None
        if attempt is not None and attempt.finished_at is not None:
            percent = attempt_summary(attempt).percent
        if attempt is None and assignment.closed_at is not None:
            continue  # closed before this member started: nothing to do
        assignments.append(
            {
                "assignment": assignment,
                "title": assignment.title or phase_names().get(assignment.phase or "", ""),
                "attempt": attempt,
                "percent": percent,
                "token": secrets.token_urlsafe(16),
            }
        )
    live = [
        session
        for session in classes.class_sessions(school_class)
        if session.phase != "finished" and session.code
    ]
    page = render_template(
        "classes/home.html",
        school_class=school_class,
        member=member,
        live=live,
        assignments=assignments,
        start_form=StartForm(),
        button=ButtonForm(),
        notices=list(notices),
    )
    return page, status


@bp.get("/c/<code>/code")
@throttle.join_codes
def my_code(code: str):
    """This device's re-entry code, shown again (and once, big, after joining)."""
    school_class = _class_by_link(code)
    member = members.member_here(school_class)
    if member is None:
        return redirect(_home(school_class))
    kept = members.code_here(school_class)
    # A code the teacher has replaced since is not shown: it would not work.
    current = kept is not None and classes.reenter(school_class, kept) is member
    return render_template(
        "classes/code.html",
        school_class=school_class,
        member=member,
        code=classes.shown_code(kept) if current else None,
        new=request.args.get("new") == "1",
        next=_next() or _home(school_class),
    )


def _request_token(assignment, member, token: str | None) -> str | None:
    """The start button's one-time token, made one per assignment and member:
    sent to another assignment's button, it starts nothing of that one's."""
    if not token:
        return None
    scope = f"{assignment.public_id}:{member.id}:{token}"
    return hashlib.sha256(scope.encode()).hexdigest()


@bp.post("/c/<code>/assignments/<assignment_id>/start")
@throttle.join_codes
def start_assignment(code: str, assignment_id: str):
    """Start the member's attempt at an assignment, or continue the one they started."""
    school_class = _class_by_link(code)
    member = members.member_here(school_class)
    if member is None:
        flash(_("Join the class first, or enter your re-entry code."), "info")
        return redirect(_home(school_class))
    assignment = classes.assignment_of(school_class, assignment_id)
    if assignment is None:
        abort(404)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = classes.start_assignment(
            member, assignment, _request_token(assignment, member, form.token.data)
        )
    except classes.ClassError as problem:
        notice = ("error", class_messages()[problem.code])
        return _member_home(school_class, member, 422, [notice])
    except NothingToDraw:
        notice = ("error", _("This assignment has no questions yet. Tell your teacher."))
        return _member_home(school_class, member, 422, [notice])
    learners.adopt_learner_key(member.learner_key)
    return redirect(url_for("study.attempt", public_id=attempt.public_id))


@bp.post("/c/<code>/leave")
@throttle.join_codes
def leave(code: str):
    """Forget the membership (and the self-study identity) on this device only."""
    school_class = _class_by_link(code)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if members.member_here(school_class) is not None:
        members.forget(school_class)
        members.forget_players([s.public_id for s in classes.class_sessions(school_class)])
        learners.forget_learner_key()
        flash(
            _("You left the class on this device. To come back, you need your re-entry code."),
            "status",
        )
    return redirect(_home(school_class))
