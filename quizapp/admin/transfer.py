"""YAML in and out: uploading bank files and downloading them.

An upload is checked by the same code as ``flask quiz check`` and shown as
a plan (added, changed, retired, unchanged) before anything is written.
The confirmation carries the files back and is refused if the plan would
now be different (someone edited meanwhile), so what is applied is what
was confirmed. Downloads are byte for byte what ``flask quiz export``
writes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.forms import ConfirmUploadForm, UploadForm
from quizapp.auth.access import staff_required
from quizapp.domain.banks import check_documents
from quizapp.domain.export import dump_bank
from quizapp.extensions import db
from quizapp.services.banks import ImportSummary, export_documents, import_banks, plan_import
from quizapp.services.catalog import configured_catalog

#: At most this many files in one upload.
MAX_FILES = 20


def _plan_digest(summary: ImportSummary) -> str:
    fields = summary.as_detail([])
    fields["unchanged"] = sorted(summary.unchanged)
    encoded = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _check(files: list[tuple[str, bytes]]):
    catalog, problems = configured_catalog()
    result = check_documents(files, catalog, current_app.config["QUIZ_MAX_BANK_BYTES"])
    result.problems[:0] = problems
    return catalog, result


def _read_upload(form: UploadForm) -> list[tuple[str, bytes]]:
    # The whole request is already bounded by MAX_CONTENT_LENGTH; each file
    # is then held to QUIZ_MAX_BANK_BYTES by the bank format's reader.
    return [
        (storage.filename or "upload.yaml", storage.stream.read()) for storage in form.files.data
    ]


def _files_field(files: list[tuple[str, bytes]]) -> str:
    return json.dumps({name: raw.decode("utf-8") for name, raw in files}, ensure_ascii=False)


@bp.route("/upload", methods=["GET", "POST"])
@staff_required("admin")
def upload():
    """Upload bank files: check them and show what importing them would do."""
    form = UploadForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("admin/upload.html", form=form), status
    if len(form.files.data) > MAX_FILES:
        form.files.errors = [_("At most %(count)d files at once.", count=MAX_FILES)]
        return render_template("admin/upload.html", form=form), 422
    files = _read_upload(form)
    _catalog, result = _check(files)
    if not result.ok:
        return render_template(
            "admin/upload.html", form=form, problems=sorted(result.problems)
        ), 422
    summary = plan_import(result.banks)
    confirm = ConfirmUploadForm(
        formdata=None, files=_files_field(files), plan=_plan_digest(summary)
    )
    return render_template(
        "admin/upload.html",
        form=form,
        summary=summary,
        confirm=confirm,
        names=[name for name, _raw in files],
    )


@bp.post("/upload/confirm")
@staff_required("admin")
def confirm_upload():
    """Import the confirmed files, all or nothing, if the plan is still the one shown."""
    form = ConfirmUploadForm()
    if not form.validate():
        abort(400)
    try:
        texts = json.loads(form.files.data)
        files = [(str(name), str(text).encode("utf-8")) for name, text in texts.items()]
    except (ValueError, AttributeError):
        abort(400)
    catalog, result = _check(files)
    if not result.ok:
        return render_template(
            "admin/upload.html", form=UploadForm(), problems=sorted(result.problems)
        ), 422
    summary = plan_import(result.banks)
    if _plan_digest(summary) != form.plan.data:
        flash(
            _("The banks changed since you checked these files. Here is what importing does now."),
            "error",
        )
        confirm = ConfirmUploadForm(
            formdata=None, files=form.files.data, plan=_plan_digest(summary)
        )
        return render_template(
            "admin/upload.html",
            form=UploadForm(),
            summary=summary,
            confirm=confirm,
            names=[name for name, _raw in files],
        ), 409
    applied = import_banks(catalog, result.banks, current_user, origin="upload")
    db.session.commit()
    flash(
        _(
            "Imported: %(added)d added, %(changed)d changed, %(retired)d retired, "
            "%(unchanged)d unchanged.",
            added=len(applied.added),
            changed=len(applied.changed),
            retired=len(applied.retired),
            unchanged=len(applied.unchanged),
        ),
        "success",
    )
    return redirect(url_for(".index"))


def _yaml_response(text: str, name: str) -> Response:
    response = Response(text, content_type="application/yaml; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/banks/<slug>.yaml")
@staff_required("teacher", "admin")
def download_bank(slug: str):
    """One bank as the YAML file ``flask quiz export --bank SLUG`` writes."""
    documents = export_documents([slug])
    if slug not in documents:
        abort(404)
    return _yaml_response(dump_bank(documents[slug]), f"{slug}.yaml")


@bp.get("/banks.zip")
@staff_required("teacher", "admin")
def download_all():
    """Every bank, one YAML file each (as ``flask quiz export`` writes them), zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for slug, document in export_documents().items():
            archive.writestr(f"{slug}.yaml", dump_bank(document).encode("utf-8"))
    response = Response(buffer.getvalue(), content_type="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="banks.zip"'
    return response
