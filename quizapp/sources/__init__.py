"""The source viewer: the articles, their cited passages, and the originals."""

from flask import Blueprint

bp = Blueprint("sources", __name__, template_folder="templates")

from quizapp.sources import routes  # noqa: E402,F401
