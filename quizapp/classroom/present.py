"""Running a session: the teacher's console, the presenter view, the phone remote.

Three screens of one session, all reading the same context
(:func:`live_context`) and sending the same control form:

* the **console** (``/classroom/<id>``), on the teacher's own screen: every
  control, moderation of players, typed answers to re-mark;
* the **presenter** (``/present``), full screen on the projector: large
  type, no site menu, no player controls, only the next step in a compact
  bar;
* the **remote** (``/remote``), on the teacher's phone: the next steps as
  big buttons, so the teacher can walk the room.

Thin: :mod:`quizapp.services.classroom` does the work.
"""

from __future__ import annotations

import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from quizapp.auth.access import staff_required
from quizapp.classroom import bp
from quizapp.classroom.addresses import join_address
from quizapp.classroom.forms import ControlForm, PlayerForm, RemarkForm
from quizapp.classroom.live import POLL_INTERVAL_MS, state_response
from quizapp.classroom.routes import _own
from quizapp.domain.live import response_key
from quizapp.domain.nicknames import NicknameError, check_nickname
from quizapp.domain.numbers import whole_number_or
from quizapp.models import ClassSession
from quizapp.nickname_rules import deny_list, join_messages
from quizapp.services import classes
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.content import quotes_of
from quizapp.services.session_reports import answered_players, session_results

ACTIONS = {
    "start": sessions.start,
    "close": sessions.close_question,
    "discuss": sessions.discuss,
    "reveal": sessions.reveal,
    "again": sessions.vote_again,
    "next": sessions.next_question,
    "finish": sessions.finish,
    "more": sessions.more_time,
    "lock": lambda session, expected: sessions.set_locked(session, expected, True),
    "unlock": lambda session, expected: sessions.set_locked(session, expected, False),
}
#: Switches the teacher may flip during a session: action → (option, value).
SWITCHES = {
    "scoreboard-on": ("scoreboard", True),
    "scoreboard-off": ("scoreboard", False),
    "names-on": ("show_names", True),
    "names-off": ("show_names", False),
    "autoclose-on": ("auto_close", True),
    "autoclose-off": ("auto_close", False),
}
#: The screens a control form may send the teacher back to.
SCREENS = {"host": ".host", "present": ".present", "remote": ".remote"}


def live_context(session: ClassSession, screen: str) -> dict:
    """What any of the three screens shows in the session's current phase."""
    options = sessions.options_of(session)
    context = {
        "session": session,
        "options": options,
        "screen": screen,
        "players": sessions.active_players(session),
        "version": sessions.host_version(session),
        "poll_ms": POLL_INTERVAL_MS,
        "join": join_address(session.code) if session.code else None,
        "control": ControlForm(revision=session.revision, back=screen),
        "player_form": PlayerForm(),
        "remark_form": RemarkForm(),
        "item": None,
        "results": None,
        "typed": [],
        "total": sessions.item_count(session),
        "school_class": classes.class_of_session(session),
        "time_limit": None,
    }
    if session.pacing == "teacher" and session.position is not None:
        item = play.item_at(session, session.position)
        present = [p for p in context["players"] if p.first_position <= session.position]
        content = item.question_version.content
        context.update(
            item=item,
            present=len(present),
            answered=answered_players(session, session.position, session.round),
            quotes=quotes_of(item.question_version) if session.phase == "closed" else [],
            time_limit=sessions.time_limit_at(session, session.position),
        )
        if content["type"] in play.TYPED and session.phase in ("voted", "closed", "board"):
            context["typed"] = sessions.typed_responses(session, session.position, session.round)
    if session.phase in ("voted", "closed", "board", "finished") or session.pacing == "student":
        context["results"] = session_results(session)
    if session.pacing == "student" and context["results"] is not None:
        context["progress"] = _progress(context["results"], context["total"])
    return context


def _progress(results, total: int) -> dict:
    """A student-paced session at a glance: who finished, answers per question."""
    working = [student for student in results.students if not student.removed]
    return {
        "working": len(working),
        "done": sum(1 for student in working if student.answered >= total),
        "per_question": [
            sum(1 for student in working if student.cells[index].answer is not None)
            for index in range(total)
        ],
    }


def _render(session: ClassSession, screen: str, template: str):
    return render_template(template, **live_context(session, screen))


@bp.get("/<public_id>")
@staff_required()
def host(public_id: str):
    """The teacher's console: the session, every control, the players."""
    return _render(_own(public_id), "host", "classroom/host.html")


@bp.get("/<public_id>/present")
@staff_required()
def present(public_id: str):
    """The presenter view for the projector: full screen, large, no admin controls."""
    return _render(_own(public_id), "present", "classroom/present.html")


@bp.get("/<public_id>/remote")
@staff_required()
def remote(public_id: str):
    """The teacher's phone as a remote: the next steps as big buttons."""
    return _render(_own(public_id), "remote", "classroom/remote.html")


@bp.get("/<public_id>/state")
@staff_required()
def host_state(public_id: str):
    """The teacher's screens' version, for conditional polling."""
    return state_response(sessions.host_version(_own(public_id)))


def _back(public_id: str, screen: str | None):
    endpoint = SCREENS.get(screen or "", ".host")
    via = request.args.get("via")
    # On the console the next step is under the question: the teacher comes
    # back to the steps, not to the top of the page.
    anchor = "steps" if endpoint == ".host" else None
    return redirect(url_for(endpoint, public_id=public_id, via=via or None, _anchor=anchor))


@bp.post("/<public_id>/control")
@staff_required()
def control(public_id: str):
    """One step (start, close, discuss, reveal, vote again, next, more time,
    lock, finish) or a switch: never two for one click."""
    session = _own(public_id)
    form = ControlForm()
    name = form.action.data
    if not form.validate_on_submit() or (name not in ACTIONS and name not in SWITCHES):
        abort(400)
    expected = whole_number_or(form.revision.data)
    try:
        if name in SWITCHES:
            sessions.set_option(session, expected, *SWITCHES[name])
        else:
            ACTIONS[name](session, expected)
    except sessions.Stale:
        flash(_("The session had already moved on; this is where it is now."), "info")
    return _back(public_id, form.back.data)


@bp.post("/<public_id>/players/<int:player_id>")
@staff_required()
def moderate(public_id: str, player_id: int):
    """Approve or hide a player's nickname on the screen, rename, remove, ban."""
    session = _own(public_id)
    form = PlayerForm()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data
    try:
        if action in ("approve", "hide"):
            sessions.show_name(session, player_id, action == "approve")
        elif action in ("remove", "ban"):
            sessions.remove_player(session, player_id, ban=action == "ban")
            flash(
                _("The player was removed; their browser cannot join this session again.")
                if action == "ban"
                else _("The player was removed."),
                "info",
            )
        elif action == "rename":
            try:
                nickname = check_nickname(form.nickname.data or "", deny_list())
                sessions.rename_player(session, player_id, nickname)
            except NicknameError as refused:
                flash(join_messages()[refused.code], "error")
            except ValueError:
                flash(join_messages()["taken"], "error")
        else:
            abort(400)
    except LookupError:
        abort(404)
    return redirect(url_for(".host", public_id=public_id, _anchor="players"))


@bp.post("/<public_id>/remark")
@staff_required()
def remark(public_id: str):
    """Mark a group of typed answers right (or wrong): scores and reports follow."""
    session = _own(public_id)
    form = RemarkForm()
    if not form.validate_on_submit() or form.mark.data not in ("right", "wrong"):
        abort(400)
    position = whole_number_or(form.position.data, -1)
    key = response_key(form.key.data or "")
    try:
        changed = sessions.remark(
            session, position, key, 1.0 if form.mark.data == "right" else 0.0, current_user
        )
    except LookupError:
        abort(404)
    if form.mark.data == "right":
        message = ngettext(
            "Marked %(num)d answer “%(text)s” as right.",
            "Marked %(num)d answers “%(text)s” as right.",
            changed,
            text=key,
        )
    else:
        message = ngettext(
            "Marked %(num)d answer “%(text)s” as wrong.",
            "Marked %(num)d answers “%(text)s” as wrong.",
            changed,
            text=key,
        )
    flash(message, "info")
    return redirect(url_for(".host", public_id=public_id, _anchor="typed"))


@bp.get("/<public_id>/qr.svg")
@staff_required()
def qr_code(public_id: str):
    """The join address as a QR code, drawn on the server (no third-party service)."""
    session = _own(public_id)
    if not session.code:
        abort(404)
    buffer = io.BytesIO()
    segno.make(join_address(session.code).url, error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, svgclass="qr-code"
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")
