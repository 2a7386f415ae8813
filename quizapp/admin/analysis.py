"""A bank's item analysis over all self-study, and each question's flags.

Self-study learners are anonymous: a bank's report shows items and the
group's discernment and calibration, never a learner.
"""

from __future__ import annotations

from flask import abort, render_template, url_for

from quizapp.admin import bp
from quizapp.auth.access import staff_required
from quizapp.downloads import csv_download, first_only
from quizapp.i18n import current_language
from quizapp.services import learning
from quizapp.services.banks import bank_by_slug

CSV_KINDS = ("items", "choices")


@bp.get("/banks/<slug>/analysis")
@staff_required("teacher", "admin")
def bank_analysis(slug: str):
    """Item analysis of the bank's questions from every self-study answer."""
    bank = bank_by_slug(slug) or abort(404)
    evidence = learning.bank_evidence(bank)
    every = not first_only()
    return render_template(
        "admin/analysis.html",
        bank=bank,
        items=learning.item_report(evidence, first_only=not every),
        learning=learning.learning_report(evidence, first_only=not every, per_learner=False),
        every=every,
        csv={
            kind: url_for(".bank_analysis_export", slug=slug, kind=kind)
            + ("?answers=all" if every else "")
            for kind in CSV_KINDS
        },
    )


@bp.get("/banks/<slug>/analysis/<kind>.csv")
@staff_required("teacher", "admin")
def bank_analysis_export(slug: str, kind: str):
    """The bank's item or choice table as CSV."""
    if kind not in CSV_KINDS:
        abort(404)
    bank = bank_by_slug(slug) or abort(404)
    text = learning.report_csv(kind, learning.bank_evidence(bank), first_only(), current_language())
    return csv_download(text, f"bank-{bank.slug}-{kind}.csv")
