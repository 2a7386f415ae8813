"""A class's evidence of learning on one page: the before/after check,
discernment and calibration of each member, and the item analysis of
everything the class answered; each table also as CSV."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from quizapp.auth.access import staff_required
from quizapp.charts import score_bins
from quizapp.classes import bp
from quizapp.downloads import csv_download, first_only
from quizapp.i18n import current_language
from quizapp.services import classes, learning

CSV_KINDS = ("items", "choices", "learners", "change")


def _own(class_id: str):
    return classes.teacher_class(current_user, class_id) or abort(404)


def report_page(school_class):
    """The class report (the teacher's own class only: the caller checked)."""
    evidence = learning.class_evidence(school_class)
    every = not first_only()
    report = learning.learning_report(evidence, first_only=not every)
    public_id = school_class.public_id
    return render_template(
        "classes/report.html",
        school_class=school_class,
        check=learning.before_after(school_class),
        items=learning.item_report(evidence, first_only=not every),
        learning=report,
        bins=score_bins([100 * row.score for row in report.learners if row.score is not None]),
        every=every,
        csv={
            kind: url_for("classes.report_export", class_id=public_id, kind=kind)
            + ("?answers=all" if every else "")
            for kind in CSV_KINDS
        },
    )


@bp.get("/classes/<class_id>/report/<kind>.csv")
@staff_required("teacher", "admin")
def report_export(class_id: str, kind: str):
    """One table of the class report as CSV."""
    if kind not in CSV_KINDS:
        abort(404)
    school_class = _own(class_id)
    if kind == "change":
        text = learning.change_csv(learning.before_after(school_class))
    else:
        evidence = learning.class_evidence(school_class)
        text = learning.report_csv(kind, evidence, first_only(), current_language())
    return csv_download(text, f"class-{school_class.public_id[:8]}-{kind}.csv")
