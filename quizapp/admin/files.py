"""The bank files: what is not yet in them, writing the database back into
them, and importing what changed in them.

The page reads the same :func:`quizapp.services.sync.folder_status` as
``flask quiz status``, so the two always agree. Writing back shows the
files' diff first, importing shows the import's plan (as an upload does);
each confirmation carries a fingerprint of what was shown and is refused
if the banks or files changed meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.forms import ConfirmPlanForm
from quizapp.admin.import_plans import import_notice, plan_digest
from quizapp.auth.access import staff_required
from quizapp.domain.sync import PREFERENCES
from quizapp.extensions import db
from quizapp.services.catalog import check_banks
from quizapp.services.imports import import_banks, lock_banks, plan_import
from quizapp.services.sync import (
    folder_status,
    folder_writable,
    plan_write_back,
    write_back,
    write_digest,
)


def _folder() -> Path:
    return Path(current_app.config["QUIZ_QUESTIONS_DIR"])


def _status():
    _catalog, result = check_banks([_folder()])
    return result, (folder_status(result) if result.ok else [])


@bp.get("/files")
@staff_required("teacher", "admin")
def files():
    """Each bank's state against its file in the questions folder."""
    result, statuses = _status()
    plans = plan_write_back(_folder(), statuses) if statuses else []
    return render_template(
        "admin/files.html",
        statuses=statuses,
        problems=sorted(result.problems),
        folder=_folder(),
        writable=folder_writable(_folder()),
        pending=plans,
    )


@bp.route("/files/write-back", methods=["GET", "POST"])
@staff_required("admin")
def write_back_files():
    """Show the diff writing back would make; write it when confirmed unchanged."""
    result, statuses = _status()
    if not result.ok:
        flash(_("The bank files have problems; fix them before writing back."), "error")
        return redirect(url_for(".files"))
    if not folder_writable(_folder()):
        flash(
            _("The questions folder cannot be written here: download the banks instead."), "error"
        )
        return redirect(url_for(".files"))
    plans = plan_write_back(_folder(), statuses)
    form = ConfirmPlanForm()
    if form.validate_on_submit():
        if form.plan.data != write_digest(plans):
            flash(
                _("The banks or their files changed since you looked. Here is the diff now."),
                "error",
            )
        elif plans:
            write_back(plans, current_user)
            db.session.commit()
            flash(
                _("Written back: %(files)s.", files=", ".join(plan.path.name for plan in plans)),
                "success",
            )
            return redirect(url_for(".files"))
    form = ConfirmPlanForm(formdata=None, plan=write_digest(plans))
    return render_template("admin/write_back.html", plans=plans, form=form, folder=_folder())


@bp.route("/files/import", methods=["GET", "POST"])
@staff_required("admin")
def import_files():
    """Import what changed in the questions folder's files, as a start-up does,
    after showing the plan; conflicts are settled by the admin's choice."""
    catalog, result = check_banks([_folder()])
    if not result.ok:
        flash(_("The bank files have problems; fix them before importing."), "error")
        return redirect(url_for(".files"))
    lock_banks(result.banks)
    summary = plan_import(result.banks)
    form = ConfirmPlanForm()
    prefer = request.form.get("prefer")
    if form.validate_on_submit():
        if form.plan.data != plan_digest(summary):
            flash(
                _("The banks or their files changed since you looked. Here is the plan now."),
                "error",
            )
        elif summary.conflicts and prefer not in PREFERENCES:
            flash(_("Choose whose change wins where a question changed on both sides."), "error")
        else:
            applied = import_banks(
                catalog, result.banks, current_user, prefer=prefer if summary.conflicts else None
            )
            db.session.commit()
            flash(import_notice(applied), "success")
            return redirect(url_for(".files"))
    confirm = ConfirmPlanForm(formdata=None, plan=plan_digest(summary))
    return render_template(
        "admin/import_files.html",
        summary=summary,
        confirm=confirm,
        folder=_folder(),
        plan_heading=_("What importing the files in %(folder)s will do", folder=_folder()),
        confirm_action=url_for(".import_files"),
    )
