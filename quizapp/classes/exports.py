"""A class's gradebook for an LMS: a column per finished session and per
assignment, a row per member (see :mod:`quizapp.services.results_export`)."""

from __future__ import annotations

from quizapp.auth.access import staff_required
from quizapp.classes import bp
from quizapp.classes.reports import _own
from quizapp.classroom.exports import chosen_layout
from quizapp.downloads import csv_download
from quizapp.services import results_export


@bp.get("/classes/<class_id>/gradebook.csv")
@staff_required("teacher", "admin")
def gradebook_export(class_id: str):
    """The class's gradebook (UTF-8 with BOM; ``?layout=canvas`` for Canvas)."""
    layout = chosen_layout()
    school_class = _own(class_id)
    suffix = "" if layout == "moodle" else f"-{layout}"
    name = f"class-{school_class.public_id[:8]}-gradebook{suffix}.csv"
    return csv_download(results_export.class_gradebook(school_class, layout), name)
