"""A session's evidence of learning: item analysis, discernment, calibration.

Thin: :mod:`quizapp.services.learning` reads the answers and the domain's
statistics do the arithmetic; this module picks the session (the
teacher's own only) and the format.
"""

from __future__ import annotations

from flask import abort, render_template, url_for

from quizapp.auth.access import staff_required
from quizapp.classroom import bp
from quizapp.classroom.routes import _own
from quizapp.downloads import csv_download, first_only
from quizapp.i18n import current_language
from quizapp.services import learning

#: The CSV files of a report, by the name in their address.
CSV_KINDS = ("items", "choices", "learners")


@bp.get("/<public_id>/analysis")
@staff_required()
def analysis(public_id: str):
    """Item analysis, discernment and calibration of one session."""
    session = _own(public_id)
    evidence = learning.session_evidence(session)
    every = not first_only()
    return render_template(
        "classroom/analysis.html",
        session=session,
        items=learning.item_report(evidence, first_only=not every),
        learning=learning.learning_report(evidence, first_only=not every),
        every=every,
        csv={
            kind: url_for(".analysis_export", public_id=public_id, kind=kind)
            + ("?answers=all" if every else "")
            for kind in CSV_KINDS
        },
    )


@bp.get("/<public_id>/analysis/<kind>.csv")
@staff_required()
def analysis_export(public_id: str, kind: str):
    """One table of the session's analysis as CSV (fixed English column names,
    for re-analysis in any tool)."""
    if kind not in CSV_KINDS:
        abort(404)
    session = _own(public_id)
    evidence = learning.session_evidence(session)
    name = f"session-{session.public_id[:8]}-{kind}.csv"
    return csv_download(learning.report_csv(kind, evidence, first_only(), current_language()), name)
