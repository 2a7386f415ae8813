"""Classes: the teacher's pages (under /classes) and the students' (under /c).

One blueprint with explicit rules: the teacher's class page and the
students' class link are two faces of one class.
"""

from flask import Blueprint

bp = Blueprint("classes", __name__, template_folder="templates")

from quizapp.classes import exports, join, reports, routes  # noqa: E402,F401
