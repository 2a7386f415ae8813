"""Other tools' formats in the editor: a bank's downloads for Moodle, QTI
LMSs, Aiken and spreadsheets, and questions from them brought in as drafts.

The page of a bank's exchange lists each format with the questions it
would leave out and why (the same :func:`quizapp.services.exchange.export_bank`
as ``flask quiz export --format``). Bringing a file in is shown as a plan
first (the drafts, the questions of types we have not, the ids renamed),
then confirmed; the confirmation carries the file back and is refused if
the plan has changed meanwhile, as an upload of bank files is.
"""

from __future__ import annotations

import base64
import hashlib
import zlib

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.forms import ConfirmDraftsForm, DraftsUploadForm, type_label
from quizapp.auth.access import staff_required
from quizapp.domain.interop import FORMATS, READERS, WRITERS, Format, csv_bank, detect
from quizapp.extensions import db
from quizapp.services.banks import bank_by_slug
from quizapp.services.exchange import (
    DraftPlan,
    add_drafts,
    export_bank,
    export_every_way,
    plan_drafts,
)
from quizapp.sources.links import passage_link

#: The formats' names in the interface's language, where a name has words.
FORMAT_LABELS = {"csv": _l("CSV (spreadsheet)"), "kahoot": _l("Kahoot! spreadsheet")}


def format_label(fmt: Format) -> str:
    return str(FORMAT_LABELS.get(fmt.name, fmt.label))


@bp.context_processor
def exchange_names():
    """The names the exchange pages show: formats, question types, where links point."""
    return {
        "format_label": format_label,
        "type_label": type_label,
        "link_root": current_app.config.get("QUIZ_PUBLIC_URL") or request.host_url.rstrip("/"),
    }


def _bank_or_404(slug: str):
    bank = bank_by_slug(slug)
    if bank is None:
        abort(404)
    return bank


def _upload_form() -> DraftsUploadForm:
    form = DraftsUploadForm()
    form.format.choices = [("", _("Tell by the file"))] + [
        (name, format_label(FORMATS[name])) for name in READERS
    ]
    return form


@bp.get("/banks/<slug>/exchange")
@staff_required("teacher", "admin")
def bank_exchange(slug: str):
    """The bank for other tools: each format's download with what it leaves out,
    and (for admins) a file from another tool brought in as drafts."""
    bank = _bank_or_404(slug)
    exports = export_every_way(bank, passage_link)
    return render_template(
        "admin/exchange.html",
        bank=bank,
        exports=exports,
        formats=FORMATS,
        form=_upload_form(),
    )


@bp.get("/banks/<slug>/export/<format_name>")
@staff_required("teacher", "admin")
def export_bank_as(slug: str, format_name: str):
    """The bank's live questions as a file for another tool."""
    if format_name not in WRITERS:
        abort(404)
    exported = export_bank(_bank_or_404(slug), format_name, passage_link)
    response = Response(exported.data, content_type=exported.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _pack(data: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(data)).decode("ascii")


def _unpack(packed: str) -> bytes | None:
    """The bytes :func:`_pack` packed, inflated only up to the size limit."""
    limit = current_app.config["QUIZ_MAX_BANK_BYTES"]
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.b64decode(packed, b"-_", validate=True), limit + 1)
    except (ValueError, zlib.error):
        return None
    if len(data) > limit or not inflater.eof or inflater.unconsumed_tail:
        return None
    return data


def _fingerprint(plan: DraftPlan) -> str:
    """What the plan will add, as a short digest: confirming a changed plan is refused."""
    keys = "\n".join(f"{spec.key}:{spec.content['type']}" for spec in plan.drafts)
    return hashlib.sha256(f"{plan.slug}\n{keys}".encode()).hexdigest()[:32]


def _plan_page(bank, plan: DraftPlan, packed: str, status: int = 200):
    # Not read from this request's form (the upload's, or a stale confirmation's).
    confirm = ConfirmDraftsForm(
        formdata=None,
        file_name=plan.file,
        packed=packed,
        format=plan.format.name,
        plan=_fingerprint(plan),
    )
    return render_template("admin/drafts_plan.html", bank=bank, plan=plan, confirm=confirm), status


@bp.post("/banks/<slug>/drafts")
@staff_required("admin")
def plan_bank_drafts(slug: str):
    """Check a file from another tool and show what bringing it in will add."""
    bank = _bank_or_404(slug)
    form = _upload_form()
    if not form.validate_on_submit():
        return _exchange_again(bank, form)
    storage = form.file.data
    name = (storage.filename or "upload").rsplit("/", 1)[-1][:255]
    data = storage.stream.read(current_app.config["QUIZ_MAX_BANK_BYTES"] + 1)
    if len(data) > current_app.config["QUIZ_MAX_BANK_BYTES"]:
        form.file.errors = [
            _(
                "The file is larger than %(size)d KiB.",
                size=current_app.config["QUIZ_MAX_BANK_BYTES"] // 1024,
            )
        ]
        return _exchange_again(bank, form)
    fmt = FORMATS.get(form.format.data) if form.format.data else detect(name, data)
    if fmt is None or fmt.read is None:
        form.format.errors = [_("The file's format cannot be told from it: choose it.")]
        return _exchange_again(bank, form)
    plan = plan_drafts(bank.slug, name, data, fmt)
    return _plan_page(bank, plan, _pack(data), 200 if plan.ok else 422)


def _exchange_again(bank, form):
    exports = export_every_way(bank, passage_link)
    page = render_template(
        "admin/exchange.html", bank=bank, exports=exports, formats=FORMATS, form=form
    )
    return page, 422


@bp.post("/banks/<slug>/drafts/confirm")
@staff_required("admin")
def confirm_bank_drafts(slug: str):
    """Add the drafts of a checked file, if what it adds is still what was shown."""
    bank = _bank_or_404(slug)
    form = ConfirmDraftsForm()
    data = _unpack(form.packed.data or "") if form.validate_on_submit() else None
    fmt = FORMATS.get(form.format.data or "")
    if data is None or fmt is None or fmt.read is None:
        abort(400)
    plan = plan_drafts(bank.slug, form.file_name.data, data, fmt)
    if not plan.ok or _fingerprint(plan) != form.plan.data:
        flash(
            _("The bank changed since the file was checked: here is what it would add now."),
            "error",
        )
        return _plan_page(bank, plan, form.packed.data, 409)
    add_drafts(plan, current_user, "upload")
    db.session.commit()
    flash(
        ngettext(
            "%(num)d draft added. Cite a passage for it in the editor to publish it.",
            "%(num)d drafts added. Cite a passage for each in the editor to publish it.",
            len(plan.drafts),
        ),
        "success",
    )
    return redirect(url_for("admin.questions", bank=bank.slug, status="draft"))


@bp.get("/csv-template.csv")
@staff_required("teacher", "admin")
def csv_template():
    """The CSV template with its columns and two example rows."""
    response = Response(csv_bank.template(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="quizapp-template.csv"'
    return response
