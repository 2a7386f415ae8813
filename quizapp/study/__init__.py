"""Self-study: start a quiz, answer one question at a time, see results."""

from flask import Blueprint

bp = Blueprint("study", __name__, template_folder="templates")

from quizapp.study import routes  # noqa: E402,F401
