"""Routes of the students' side. Thin: the players service does the work.

A student is a player of one session, found by the token this browser
keeps for that session; there is no account and no other way in. Before a
question closes, the pages and the state endpoint carry only what
:func:`quizapp.services.players.device_view` allows: the prompt and the
choices, never which are right.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from quizapp import throttle
from quizapp.answer_form import answer_options, response_messages
from quizapp.classes import members as class_members
from quizapp.classroom.live import POLL_INTERVAL_MS, state_response
from quizapp.domain.live import clean_code
from quizapp.domain.nicknames import NicknameError
from quizapp.domain.numbers import whole_number_or
from quizapp.domain.presentation import review
from quizapp.domain.question_types import REGISTRY, ResponseError
from quizapp.errors import expired_form_page
from quizapp.i18n import current_language
from quizapp.models import ClassSession, Player
from quizapp.nickname_rules import deny_list, join_messages
from quizapp.play import bp
from quizapp.play.forms import JoinForm
from quizapp.play.players import device_id, remember, token_for
from quizapp.services import classes
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.content import item_content, quotes_for, quotes_of
from quizapp.services.session_reports import finished_results
from quizapp.urls import safe_next


def _existing_player(session: ClassSession) -> Player | None:
    player = play.player_by_token(session, token_for(session.public_id))
    return player if player is not None and player.removed_at is None else None


def _to_class_page(session: ClassSession, school_class):
    """A browser that is not a member of the session's class: to the class
    page, to join it (or come back with a code), and then back here."""
    flash(
        _("This session is for the class %(name)s. Join the class first.", name=school_class.name),
        "info",
    )
    back = safe_next(url_for(".join", code=session.code))
    return redirect(url_for("classes.join", code=school_class.join_token, next=back))


@bp.route("/", methods=["GET", "POST"], defaults={"code": None}, endpoint="enter")
@bp.route("/<code>", methods=["GET", "POST"])
@throttle.join_codes
def join(code: str | None):
    """Enter the code (or come with it, from the QR code) and a nickname.

    A code that names no running session counts against the address's
    limit on wrong codes (see :mod:`quizapp.throttle`), in the address as
    in the form: either would tell a guesser which codes are in use.

    A session run for a class admits the class's members only, each under
    their class nickname and as the same player on every browser of theirs;
    anyone else is sent to the class page first.
    """
    form = JoinForm()
    code = clean_code(code) if code else code  # "675 373" from the screen, typed into the address
    session = sessions.session_by_code(code) if code else None
    member = None
    if request.method == "GET":
        form.code.data = code or ""
        if code and session is None:
            throttle.failed()
            if sessions.ended_with_code(code):  # an old QR code
                form.code.errors = [join_messages()["finished"]]
        if session is not None and _existing_player(session) is not None:
            # Back from a dropped connection or a closed tab: same player.
            return redirect(url_for(".live", public_id=session.public_id))
        school_class = classes.class_of_session(session) if session is not None else None
        if school_class is not None:
            member = class_members.member_here(school_class)
            if member is None:
                return _to_class_page(session, school_class)
    elif form.validate_on_submit():
        session = sessions.session_by_code(form.code.data)
        try:
            if session is None:
                ended = sessions.ended_with_code(form.code.data)
                raise play.JoinRefused("finished" if ended else "no_session")
            # A deadline or time limit that ran out while nobody was looking
            # applies now, before the join is decided.
            sessions.settle(session)
            school_class = classes.class_of_session(session)
            if school_class is not None:
                member = class_members.member_here(school_class)
                if member is None and _existing_player(session) is None:
                    return _to_class_page(session, school_class)
            player = play.join(
                session,
                form.nickname.data or "",
                deny_list(),
                token=token_for(session.public_id),
                language=current_language(),
                member=member,
                device=device_id(),
            )
        except (play.JoinRefused, NicknameError) as refused:
            if refused.code in ("no_session", "finished") and session is None:
                throttle.failed()
            field = form.nickname if isinstance(refused, NicknameError) else form.code
            field.errors.append(join_messages()[refused.code])
        else:
            remember(session.public_id, player.token)
            return redirect(url_for(".live", public_id=session.public_id))
    generated = session is not None and sessions.options_of(session).nicknames == "generated"
    status = 422 if form.errors else 200
    page = render_template("play/join.html", form=form, generated=generated, member=member)
    return page, status


def _open_on_screen(seat: play.Seat, session: ClassSession, position: int) -> bool:
    """Whether ``position`` is the question open on this player's screen now."""
    if seat.pacing == "student":
        return position == seat.answered and session.phase == "open"
    return session.phase == "open" and session.position == position


def _screen_or_leave(public_id: str) -> play.Screen:
    screen = play.screen_of(public_id, token_for(public_id))
    if screen is None:
        abort(404)
    # A time limit run out closes the question; its item and answers stay.
    sessions.settle(screen.session)
    return screen


def _review_of(session: ClassSession, player: Player, item, answer):
    """The review of ``answer`` (None: not answered) on this player's device."""
    content = item_content(session.id, item.position)
    order = play.device_order(session, player, item)
    if answer is None:
        return review(content, order, None, 0.0)
    return review(content, order, answer.response, answer.fraction)


def _shapes(content: dict) -> dict[str, int]:
    """Each answer value's place on the projector, which picks its colour and
    shape: the same tile looks the same on the screen and on every phone,
    whatever order the phone shows the choices in."""
    if content["type"] == "true_false":
        return {"true": 0, "false": 1}
    if content["type"] == "claim":
        return {"supported": 0, "not_supported": 1}
    return {choice["id"]: index for index, choice in enumerate(content.get("choices") or ())}


def _question_context(session, player, item, values=(), confidence=None, error=None) -> dict:
    view = play.device_view(session, player, item)
    round_ = session.round if session.pacing == "teacher" else 1
    content = item_content(session.id, item.position)
    return {
        "template": "play/question.html",
        "item": item,
        "view": view,
        "answer_choices": answer_options(view),
        "shapes": _shapes(content),
        "answer_round": round_,
        "values": list(values),
        "confidence": confidence,
        "error": error,
        # A revote is for learning and scores nothing: it asks no certainty.
        "asks_confidence": sessions.options_of(session).asks_confidence and round_ == 1,
        "time_limit": sessions.time_limit_at(session, item.position)
        if session.pacing == "teacher"
        else None,
    }


def _chosen(session, player, item, answer) -> list[tuple[int, str]]:
    """The player's own choice as (shape, label) pairs, without saying if it
    is right: what a phone shows while the class discusses (nothing for a
    typed answer)."""
    if answer is None:
        return []
    view = play.device_view(session, player, item)
    shapes = _shapes(item_content(session.id, item.position))
    labels = dict(answer_options(view))
    picked = REGISTRY[view.type].form_values(answer.response)
    if view.type in ("single", "multiple", "true_false", "claim"):
        return [(shapes.get(value, -1), labels.get(value, str(value))) for value in picked]
    # A typed answer is not shown back: on a screen a neighbour can see, a
    # right one would be the answer before the reveal.
    return []


def _teacher_paced(screen: play.Screen) -> dict:
    session, player, item, answer = screen.session, screen.player, screen.item, screen.answer
    if player.first_position > session.position:
        return {"template": "play/wait.html", "reason": "joined_late"}
    if session.phase == "open":
        if answer is None:
            return _question_context(session, player, item)
        return {
            "template": "play/wait.html",
            "reason": "answered",
            "chosen": _chosen(session, player, item, answer),
        }
    if session.phase == "voted":
        return {
            "template": "play/discuss.html",
            "item": item,
            "answered": answer is not None,
            "chosen": _chosen(session, player, item, answer),
        }
    if session.phase == "board":
        return {"template": "play/board.html", "results": finished_results(session)}
    # The first vote is the one that scores: its result is shown; a revote,
    # for learning, is told beside it.
    shown = screen.first_answer or answer
    revote = answer if answer is not None and answer.round > 1 else None
    return {
        "template": "play/closed.html",
        "item": item,
        "answer": shown,
        "revote": revote,
        "review": _review_of(session, player, item, shown),
        "quotes": quotes_for(item.question_version_id, item_content(session.id, item.position)),
    }


def _results(session: ClassSession) -> dict:
    # A student's results leave out the class's answer counts, and once the
    # session is finished they are worked out once for the whole class:
    # this page is rendered for every phone of a class when the session ends.
    return {"template": "play/finished.html", "results": finished_results(session)}


def _state_context(screen: play.Screen) -> dict:
    """Which page a player sees now, and what it needs."""
    session, player = screen.session, screen.player
    if player.removed_at is not None:
        return {"template": "play/wait.html", "reason": "removed"}
    if session.phase == "finished":
        return _results(session)
    if session.phase == "lobby":
        return {"template": "play/wait.html", "reason": "lobby"}
    if session.pacing == "teacher":
        return _teacher_paced(screen)
    upcoming = play.next_position(player, sessions.item_count(session))
    if upcoming is None:
        return _results(session)
    if sessions.past_deadline(session):
        # The deadline passed: an answer already on the screen is still
        # taken (for a short grace), but no new question is shown.
        return {"template": "play/wait.html", "reason": "time_up"}
    return _question_context(session, player, play.item_at(session, upcoming))


def _render_live(screen: play.Screen, status: int = 200, **overrides):
    context = _state_context(screen)
    context.update(overrides)
    template = context.pop("template")
    session = screen.session
    page = render_template(
        template,
        session=session,
        player=screen.player,
        options=sessions.options_of(session),
        version=str(session.revision),
        poll_ms=POLL_INTERVAL_MS,
        total=sessions.item_count(session),
        **context,
    )
    return page, status


@bp.get("/s/<public_id>")
def live(public_id: str):
    """The student's screen: whatever the session is at, for this player."""
    if token_for(public_id) is None:  # not joined yet (in this browser)
        session = sessions.session_by_public_id(public_id)
        if session is not None and session.code:
            return redirect(url_for(".join", code=session.code))
        abort(404)
    return _render_live(_screen_or_leave(public_id))


@bp.get("/s/<public_id>/state")
def state(public_id: str):
    """The session's revision, for conditional polling (one indexed read)."""
    revision = sessions.current_revision(public_id)
    if revision is None:
        abort(404)
    return state_response(str(revision))


def _answer_notice(status: str) -> tuple[str, str]:
    """What the student is told about an answer: (category, message).

    One notice per status of :class:`~quizapp.services.players.AnswerResult`;
    ``not_current`` is the last.
    """
    if status == "recorded":
        return "status", _("Your answer is recorded.")
    if status == "repeat":
        return "info", _("You had already answered this question; your first answer stands.")
    if status == "late":
        return "error", _(
            "Too late: the question had closed before your answer arrived. It was not recorded."
        )
    return "error", _("That answer was not recorded: answer the questions in order.")


def _wants_part() -> bool:
    """Whether the screen's script asked for the live part alone (see static/live.js)."""
    return request.args.get("part") == "live"


@bp.post("/s/<public_id>/answer")
def answer(public_id: str):
    """Record an answer (once, while the question is open).

    A form sent by the screen's script (``?part=live``, teacher-paced
    sessions) gets the screen's new live part at once; a form sent by the
    browser itself is redirected back to the screen, as without script.
    """
    seat = play.seat_for_answer(public_id, token_for(public_id))
    if seat is None:
        abort(404)
    # The CSRF token was checked before this view (CSRFProtect); the rest of
    # the form is read as sent, without building a form object per answer.
    position = whole_number_or(request.form.get("position"), -1)
    round_ = whole_number_or(request.form.get("round"), 1)
    values = request.form.getlist("answer")
    confidence = request.form.get("confidence")
    try:
        result = play.record(
            seat,
            position,
            round_,
            values,
            whole_number_or(confidence),
        )
    except LookupError:
        return throttle.count_unrecorded_answer() or abort(404)
    except play.JoinRefused:
        return redirect(url_for(".live", public_id=public_id))
    except ResponseError as problem:
        throttled = throttle.count_unrecorded_answer()
        if throttled is not None:
            return throttled
        screen = _screen_or_leave(public_id)
        if not _open_on_screen(seat, screen.session, position):
            # Not the question this player's screen shows: render nothing of
            # it (an upcoming question's prompt and choices would leak).
            return redirect(url_for(".live", public_id=public_id))
        item = play.item_at(screen.session, position)
        context = _question_context(
            screen.session,
            screen.player,
            item,
            values,
            confidence,
            response_messages()[problem.code],
        )
        context.pop("template")
        return _render_live(screen, 422, **context)
    if result.status != "recorded":
        throttled = throttle.count_unrecorded_answer()
        if throttled is not None:
            return throttled
    if seat.pacing == "student" and result.status in ("recorded", "repeat"):
        # The feedback page says what became of the answer from its address,
        # not from a flashed message: a flash would rewrite and re-sign the
        # session cookie on every answer, a tenth of the answer's cost.
        return redirect(
            url_for(".reviewed", public_id=public_id, number=position + 1, notice=result.status)
        )
    if _wants_part():
        # No redirect and no whole page after it: in a class's burst of
        # answers, that second request cost as much as the answer itself.
        # The screen is read in one query.
        return _render_live(_screen_or_leave(public_id), notices=[_answer_notice(result.status)])
    category, message = _answer_notice(result.status)
    flash(message, category)
    return redirect(url_for(".live", public_id=public_id))


@bp.get("/s/<public_id>/<int:number>")
def reviewed(public_id: str, number: int):
    """An answered question's feedback (student-paced), or any question once finished."""
    screen = _screen_or_leave(public_id)
    session, player = screen.session, screen.player
    item = play.item_at(session, number - 1) or abort(404)
    answer = play.player_answer(player, item.position, 1)
    if session.phase != "finished" and (session.pacing != "student" or answer is None):
        return redirect(url_for(".live", public_id=public_id))
    told = request.args.get("notice")  # set by answer(), just after the answer
    return render_template(
        "play/reviewed.html",
        session=session,
        player=player,
        options=sessions.options_of(session),
        item=item,
        total=sessions.item_count(session),
        answer=answer,
        review=_review_of(session, player, item, answer),
        quotes=quotes_of(item.question_version),
        notices=[_answer_notice(told)] if told in ("recorded", "repeat") else [],
    )


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A stale answer form: show the question again with the answer still filled in."""
    if request.endpoint == "play.answer":
        public_id = (request.view_args or {}).get("public_id", "")
        screen = play.screen_of(public_id, token_for(public_id))
        if screen is not None:
            expired = _(
                "This page was open so long that its security check expired. "
                "Check your answer and submit again."
            )
            values = request.form.getlist("answer")
            confidence = request.form.get("confidence")
            return _render_live(
                screen,
                400,
                values=values,
                confidence=confidence,
                notices=[("error", expired)],
            )
    return expired_form_page()
