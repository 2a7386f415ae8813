"""Staff log-in: teachers and admins (learners need no account)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from quizapp.auth import routes  # noqa: E402, F401  (registers the routes)
