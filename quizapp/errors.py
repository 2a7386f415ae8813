"""Error pages: HTML for people, JSON for clients that ask for it."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from quizapp.extensions import db


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _render(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("error.html", status=status, title=title, message=message), status


#: How long a client is asked to wait when the database is away or full:
#: long enough for a restart, short enough for a phone's retry in a lesson.
UNAVAILABLE_RETRY_S = 10


def expired_form_page():
    """The answer to a form whose CSRF token is missing, stale or foreign."""
    return _render(
        400,
        _("This form has expired"),
        _(
            "The page was open too long or came from elsewhere. "
            "Go back, reload the page and try again; nothing was changed."
        ),
    )


def too_many_requests_page(message: str, retry_after_s: int):
    """The answer to a throttled request (see :mod:`quizapp.throttle`): 429,
    and ``Retry-After`` in seconds."""
    body, status = _render(429, _("Too many attempts"), message)
    response = make_response(body, status)
    response.headers["Retry-After"] = str(retry_after_s)
    return response


#: The errors a visitor can meet, in the page's language (werkzeug's own
#: names and descriptions are English only).
_HTTP_PAGES = {
    400: (
        _l("This request could not be read"),
        _l("Something in it was missing or not valid. Go back, reload the page and try again."),
    ),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (_l("Not found"), _l("There is nothing at this address.")),
    405: (_l("Not allowed"), _l("This address cannot be used that way.")),
}


def readable_size(count: int) -> str:
    """A number of bytes as people read it: KiB under a mebibyte, else MiB."""
    if count < 1024 * 1024:
        return format_decimal(count / 1024, "#,##0.#") + " KiB"
    return format_decimal(count / 1024 / 1024, "#,##0.#") + " MiB"


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return expired_form_page()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
            return _render(
                413,
                _("Too large"),
                _(
                    "What you sent is larger than the server accepts (at most %(size)s). "
                    "Nothing was saved; send less at a time.",
                    size=readable_size(limit),
                ),
            )
        if error.code in _HTTP_PAGES:
            title, message = _HTTP_PAGES[error.code]
            return _render(error.code, str(title), str(message))
        return _render(error.code or 500, error.name, error.description or "")

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return _render(
            500,
            _("Something went wrong"),
            _("The error has been logged. Nothing you submitted was half-saved."),
        )

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # The database cannot be reached, is locked past the wait, or its
        # disk is full: the request's transaction is rolled back (nothing
        # half-saved) and the client is told to try again, not that it
        # made an error.
        app.logger.error("database unavailable: %s", error.orig)
        try:
            db.session.rollback()
        except Exception:  # the connection is gone: the pool replaces it
            app.logger.warning("rollback after the database error failed too")
        response, status = _render(
            503,
            _("Please try again in a moment"),
            _(
                "The server cannot save or read right now. Nothing you sent was "
                "half-saved; send it again in a few seconds."
            ),
        )
        response = app.make_response((response, status))
        response.headers["Retry-After"] = str(UNAVAILABLE_RETRY_S)
        return response
