"""Who may do what: Flask-Login set-up and the role check for staff routes."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, flash, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from quizapp.domain.numbers import whole_number_or
from quizapp.extensions import db
from quizapp.models import User
from quizapp.urls import return_address

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    """Bind Flask-Login: unknown visitors of staff pages go to the log-in page."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in as a teacher to see that page.")
    login_manager.login_message_category = "info"
    # A stolen session cookie used from another browser is logged out.
    login_manager.session_protection = "strong"

    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_to_login)


def _to_login():
    """Send a visitor who must log in to the log-in page, coming back after.

    Flask-Login's own handler comes back to the address asked for, and a
    form posted by a teacher signed out meanwhile (from elsewhere, or a
    projector left open) came back to an address that answers only POST:
    a 405 page right after logging in.
    """
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=return_address()))


def load_user(cookie_id: str) -> User | None:
    """The user a session cookie names, if its session token is still theirs.

    ``cookie_id`` is :meth:`User.get_id`: "<id>:<token>". The token is
    replaced at log-out, at a password change and by "sign out everywhere",
    so a cookie from before (copied or stolen) names nobody; so does one
    from before tokens existed (a bare id).
    """
    number, _, token = cookie_id.partition(":")
    user_id = whole_number_or(number)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def staff_required(*roles: str) -> Callable:
    """Let logged-in users with one of ``roles`` through; others log in or get 403."""
    allowed = roles or ("teacher", "admin")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
