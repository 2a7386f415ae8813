"""Classroom sessions, the teacher's side: dashboard, projector view, results."""

from flask import Blueprint

bp = Blueprint("classroom", __name__, template_folder="templates")

from quizapp.classroom import analysis, exports, present, routes  # noqa: E402,F401
