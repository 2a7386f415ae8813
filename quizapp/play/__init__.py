"""Classroom sessions, the students' side: join with a code, answer, see results."""

from flask import Blueprint

bp = Blueprint("play", __name__, template_folder="templates")

from quizapp.play import routes  # noqa: E402,F401
