"""The home page and the language switch."""

from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")

from quizapp.main import routes  # noqa: E402,F401
