"""Error pages: HTML for people, JSON for clients that ask for it."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return expired_form_page()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 404:
            return _render(404, _("Not found"), _("There is nothing at this address."))
        return _render(error.code or 500, error.name, error.description or "")

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return _render(
            500,
            _("Something went wrong"),
            _("The error has been logged. Nothing you submitted was half-saved."),
        )
