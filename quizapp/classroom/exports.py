"""A session's results for other systems: a gradebook CSV for an LMS and the
answers as xAPI statements for a learning record store.

Thin: :mod:`quizapp.services.results_export` reads the results and the
formats are documented in :mod:`quizapp.domain.interop.gradebook` and
:mod:`quizapp.domain.interop.xapi`. The session is the teacher's own only,
found as the other downloads find it (``_own``: another teacher's is 404).
"""

from __future__ import annotations

from flask import Response, abort, current_app, request

from quizapp.auth.access import staff_required
from quizapp.classroom import bp
from quizapp.classroom.routes import _own
from quizapp.domain.interop.gradebook import LAYOUTS
from quizapp.downloads import csv_download
from quizapp.services import results_export

#: JSON lines: one statement per line. (The array is plain application/json.)
STATEMENTS_TYPE = "application/x-ndjson"


def chosen_layout() -> str:
    """The gradebook layout asked for (``?layout=canvas``); Moodle's by default."""
    layout = request.args.get("layout", "moodle")
    if layout not in LAYOUTS:
        abort(404)
    return layout


def base_url() -> str:
    """The app's address as statements name it: ``QUIZ_PUBLIC_URL`` when set
    (the address students use), else the one this request came in by."""
    return (current_app.config.get("QUIZ_PUBLIC_URL") or request.url_root).rstrip("/")


@bp.get("/<public_id>/gradebook.csv")
@staff_required()
def gradebook_export(public_id: str):
    """One row per student, for an LMS's grade import (UTF-8 with BOM)."""
    layout = chosen_layout()
    session = _own(public_id)
    suffix = "" if layout == "moodle" else f"-{layout}"
    name = f"session-{session.public_id[:8]}-gradebook{suffix}.csv"
    return csv_download(results_export.session_gradebook(session, layout), name)


@bp.get("/<public_id>/statements.jsonl", defaults={"array": False})
@bp.get("/<public_id>/statements.json", defaults={"array": True})
@staff_required()
def statements_export(public_id: str, array: bool):
    """Every answer as an xAPI statement: one per line, or one JSON array."""
    session = _own(public_id)
    name = f"session-{session.public_id[:8]}-statements.json{'' if array else 'l'}"
    return Response(
        results_export.session_statements(session, base_url(), array=array),
        mimetype="application/json" if array else STATEMENTS_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
