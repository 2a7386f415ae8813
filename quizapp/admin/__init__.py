"""The bank editor: banks, questions and their versions, uploads and downloads.

Admins edit; teachers may look (banks, questions, history, downloads) but
not change anything. Each route states which roles it admits, and a test
walks every route of the blueprint for each role.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from quizapp.admin import (  # noqa: E402,F401
    accounts,
    analysis,
    banks,
    exchange,
    files,
    picker,
    proposals,
    questions,
    retirement,
    reviews,
    tag_labels,
    transfer,
)
