"""Anonymous learners: a random id in a signed, long-lived cookie.

Nothing else about a learner is stored: no name, no address, no account.
The id is created only when a learner starts something worth keeping (an
attempt), so browsing never sets it. The signature means a learner cannot
pick another learner's id; a cookie that fails it is treated as absent.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from itsdangerous import BadSignature, Signer

COOKIE = "learner"
# Browsers cap cookie lifetimes at about 400 days; ask for a year and renew
# it whenever the learner starts an attempt.
MAX_AGE = 365 * 24 * 3600


def _signer() -> Signer:
    return Signer(current_app.secret_key, salt="quizapp.learner")


def learner_key() -> str | None:
    """The current visitor's learner id, or None if they have none yet."""
    if "learner_key" not in g:
        value = request.cookies.get(COOKIE)
        key = None
        if value:
            try:
                key = _signer().unsign(value).decode()
            except BadSignature:
                key = None
        g.learner_key = key
    return g.learner_key


def ensure_learner_key() -> str:
    """The visitor's learner id, creating one (and its cookie) if needed."""
    key = learner_key() or secrets.token_urlsafe(24)
    g.learner_key = key
    g.renew_learner_cookie = True
    return key


def adopt_learner_key(key: str) -> None:
    """Make this browser the learner ``key`` (a class member's, so that an
    attempt started on another of their browsers continues here)."""
    g.learner_key = key
    g.renew_learner_cookie = True
    g.forget_learner_cookie = False


def forget_learner_key() -> None:
    """Make this browser nobody's learner (a member leaving a shared device)."""
    g.learner_key = None
    g.renew_learner_cookie = False
    g.forget_learner_cookie = True


def init_app(app: Flask) -> None:
    """Write the cookie on responses to requests that created or used a learner id,
    and delete it on those that forgot it."""

    @app.after_request
    def write_learner_cookie(response):
        if g.get("forget_learner_cookie"):
            response.delete_cookie(
                COOKIE,
                httponly=True,
                samesite="Lax",
                secure=app.config.get("SESSION_COOKIE_SECURE", False),
            )
        elif g.get("renew_learner_cookie"):
            response.set_cookie(
                COOKIE,
                _signer().sign(g.learner_key).decode(),
                max_age=MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=app.config.get("SESSION_COOKIE_SECURE", False),
            )
        return response
