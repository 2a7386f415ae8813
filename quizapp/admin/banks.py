"""Banks in the editor: the list, creating, editing, retiring, and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.forms import BankForm, BankStatusForm
from quizapp.auth.access import staff_required
from quizapp.domain.numbers import whole_number, whole_number_or
from quizapp.extensions import db
from quizapp.services.audit import audit_query
from quizapp.services.bank_edits import BankConflict, BankExists, change_bank, create_bank
from quizapp.services.banks import bank_by_slug
from quizapp.services.question_list import bank_counts
from quizapp.services.sync import unsynced_counts, unsynced_questions

AUDIT_PER_PAGE = 50


@bp.get("/")
@staff_required("teacher", "admin")
def index():
    """Every bank, active and retired, with its questions counted by status."""
    return render_template("admin/index.html", banks=bank_counts(), unsynced=unsynced_counts())


def _texts(form: BankForm) -> tuple[dict, dict]:
    title = {"zh": form.title_zh.data.strip(), "en": form.title_en.data.strip()}
    description = {"zh": form.description_zh.data.strip(), "en": form.description_en.data.strip()}
    return title, description


@bp.route("/banks/new", methods=["GET", "POST"])
@staff_required("admin")
def new_bank():
    """Create an empty bank."""
    form = BankForm()
    if form.validate_on_submit():
        slug = (form.slug.data or "").strip()
        if not slug:
            form.slug.errors.append(_("Give the bank an id."))
        else:
            title, description = _texts(form)
            try:
                bank = create_bank(slug, title, description, current_user)
                db.session.commit()
            except BankExists:
                db.session.rollback()
                form.slug.errors.append(_("A bank with this id exists already."))
            else:
                flash(_("Bank created. Add its first question."), "success")
                return redirect(url_for(".bank", slug=bank.slug))
    status = 422 if form.errors else 200
    return render_template("admin/bank_form.html", form=form, bank=None), status


@bp.get("/banks/<slug>")
@staff_required("teacher", "admin")
def bank(slug: str):
    """A bank: its fields, status, questions and the log of its changes."""
    found = bank_by_slug(slug) or abort(404)
    entries = db.session.scalars(audit_query(bank_id=found.id).limit(20)).all()
    (counts,) = bank_counts(found.id)
    return render_template(
        "admin/bank.html",
        bank=found,
        counts=counts,
        entries=entries,
        status_form=BankStatusForm(revision=str(found.revision)),
        unsynced=unsynced_questions(found),
    )


@bp.route("/banks/<slug>/edit", methods=["GET", "POST"])
@staff_required("admin")
def edit_bank(slug: str):
    """Change a bank's title and description."""
    found = bank_by_slug(slug) or abort(404)
    form = BankForm()
    if request.method == "GET":
        form = BankForm(
            formdata=None,
            data={
                "revision": str(found.revision),
                "title_zh": found.title["zh"],
                "title_en": found.title["en"],
                "description_zh": found.description["zh"],
                "description_en": found.description["en"],
            },
        )
    elif form.validate_on_submit():
        title, description = _texts(form)
        expected = whole_number_or(form.revision.data, -1)
        try:
            changed = change_bank(
                found, {"title": title, "description": description}, expected, current_user
            )
            db.session.commit()
        except BankConflict as conflict:
            form.revision.data = str(conflict.bank.revision)
            return render_template(
                "admin/bank_form.html", form=form, bank=found, conflict=conflict.bank
            ), 409
        if changed:
            flash(_("Bank saved."), "success")
        else:
            flash(_("Nothing had changed."), "info")
        return redirect(url_for(".bank", slug=found.slug))
    status = 422 if form.errors else 200
    return render_template("admin/bank_form.html", form=form, bank=found), status


@bp.post("/banks/<slug>/status")
@staff_required("admin")
def bank_status(slug: str):
    """Retire a bank (no new quizzes or sessions from it) or bring it back."""
    found = bank_by_slug(slug) or abort(404)
    form = BankStatusForm()
    expected = whole_number_or(form.revision.data)
    if not form.validate() or expected is None:
        abort(400)
    new_status = "active" if found.status == "retired" else "retired"
    try:
        change_bank(found, {"status": new_status}, expected, current_user)
        db.session.commit()
    except BankConflict:
        flash(_("Someone changed this bank since you opened the page; look again."), "error")
        return redirect(url_for(".bank", slug=found.slug))
    if new_status == "retired":
        flash(_("Bank retired: it is no longer offered to learners."), "success")
    else:
        flash(_("Bank active again: its published questions are offered."), "success")
    return redirect(url_for(".bank", slug=found.slug))


@bp.get("/audit")
@staff_required("admin")
def audit():
    """Who changed what and when, newest first."""
    bank_filter = bank_by_slug(request.args.get("bank", "")) if request.args.get("bank") else None
    page = db.paginate(
        audit_query(bank_id=bank_filter.id if bank_filter else None),
        page=request.args.get("page", 1, type=whole_number),
        per_page=AUDIT_PER_PAGE,
        error_out=False,
    )
    return render_template("admin/audit.html", page=page, bank=bank_filter)
