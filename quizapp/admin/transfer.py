"""YAML in and out: uploading bank files and downloading them.

An upload (YAML files, or the zip that *Download all* gives) is checked by
the same code as ``flask quiz check`` and shown as a plan before anything
is written: each question added or changed with its difference, the
retirements first, the questions whose database edits stand, and the
conflicts (changed in the file and in the database since the file's base)
with both values. With conflicts, the admin chooses whose change wins, or
imports nothing. The confirmation carries the files back, packed smaller
than they were uploaded (see :func:`pack_files`), and is refused if the
plan would now be different (someone edited meanwhile), so what is
applied is what was confirmed. Downloads are what ``flask quiz export``
writes into a folder other than the questions folder: each names the
bank revision it came from (``base:``).
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
import zlib

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.admin import bp
from quizapp.admin.forms import ConfirmUploadForm, UploadForm
from quizapp.admin.import_plans import import_notice, plan_digest
from quizapp.auth.access import staff_required
from quizapp.domain.banks import check_documents
from quizapp.domain.export import dump_bank
from quizapp.domain.sync import PREFERENCES
from quizapp.extensions import db
from quizapp.services.banks import export_documents
from quizapp.services.catalog import configured_catalog, configured_tags
from quizapp.services.imports import import_banks, lock_banks, plan_import

#: At most this many files in one upload.
MAX_FILES = 20
#: Room in a confirmation's request for what it carries besides the files
#: (the CSRF token, the plan's fingerprint, the choice of whose change wins).
CONFIRM_OVERHEAD = 2048


def _check(files: list[tuple[str, bytes]]):
    catalog, problems = configured_catalog()
    vocabulary, _tag_problems = configured_tags()
    max_bytes = current_app.config["QUIZ_MAX_BANK_BYTES"]
    result = check_documents(files, catalog, max_bytes, vocabulary)
    result.problems[:0] = problems
    return catalog, result


class UploadRefused(ValueError):
    """An uploaded zip that cannot be read as bank files; the message says why."""


def _unzip(name: str, raw: bytes) -> list[tuple[str, bytes]]:
    """The ``.yaml``/``.yml`` files in a zip, each read only up to the bank size limit.

    Sizes are checked before anything is inflated, so a small zip that
    would inflate to gigabytes is refused unread.
    """
    limit = current_app.config["QUIZ_MAX_BANK_BYTES"]
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and info.filename.lower().endswith((".yaml", ".yml"))
        ]
        if not members:
            raise UploadRefused(_("%(name)s holds no .yaml or .yml file.", name=name))
        if len(members) > MAX_FILES:
            raise UploadRefused(_("At most %(count)d files at once.", count=MAX_FILES))
        files = []
        for info in members:
            label = f"{name}/{info.filename}"
            if info.file_size > limit:
                # read_bank reports the size with the file's name.
                files.append((label, b"\0" * (limit + 1)))
                continue
            files.append((label, archive.read(info)))
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        raise UploadRefused(_("%(name)s is not a zip file that can be read.", name=name)) from None


def _read_upload(form: UploadForm) -> list[tuple[str, bytes]]:
    # The whole request is already bounded by MAX_CONTENT_LENGTH; each file
    # is then held to QUIZ_MAX_BANK_BYTES by the bank format's reader.
    files = []
    for storage in form.files.data:
        name, raw = storage.filename or "upload.yaml", storage.stream.read()
        files.extend(_unzip(name, raw) if name.lower().endswith(".zip") else [(name, raw)])
    # Checking YAML costs about a second per megabyte: the whole upload is
    # bounded too, so that one upload cannot hold a worker for long.
    total_limit = current_app.config["QUIZ_MAX_UPLOAD_TOTAL_BYTES"]
    total = sum(len(raw) for _, raw in files)
    if total > total_limit:
        raise UploadRefused(
            _(
                "These files hold %(size)d KiB of text together; at most %(limit)d KiB "
                "can be checked at once. Upload fewer of them at a time.",
                size=total // 1024,
                limit=total_limit // 1024,
            )
        )
    return files


def pack_files(files: list[tuple[str, bytes]]) -> str:
    """The checked files as the confirmation carries them back: compact JSON,
    deflated, in URL-safe base64, which a form posts as it is.

    As JSON text in a hidden field, percent-encoded by the browser, they came
    back 1.9 times larger than uploaded, and a confirmation over the request
    limit was refused. Files that are not UTF-8 are refused by the check
    before they are ever confirmed; here they only need a size.
    """
    items = [[name, raw.decode("utf-8", "replace")] for name, raw in files]
    encoded = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(encoded)).decode("ascii")


def unpack_files(packed: str, max_bytes: int) -> list[tuple[str, bytes]] | None:
    """The files :func:`pack_files` packed, or None if ``packed`` is anything else.

    Inflated only up to what :data:`MAX_FILES` files of ``max_bytes`` can
    take as JSON (escapes at most double a file's text), so a small
    payload that would inflate to gigabytes is refused unread.
    """
    room = MAX_FILES * (2 * max_bytes + 1024)
    try:
        inflater = zlib.decompressobj()
        encoded = inflater.decompress(base64.b64decode(packed, b"-_", validate=True), room)
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
            return None
        items = json.loads(encoded)
        if not isinstance(items, list) or not 0 < len(items) <= MAX_FILES:
            return None
        if not all(
            isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
            for item in items
        ):
            return None
        return [(name, text.encode("utf-8")) for name, text in items]
    except (ValueError, zlib.error, RecursionError):
        # ValueError covers bad base64, bad JSON and text that cannot be UTF-8.
        return None


def _confirm_room() -> int:
    """The longest packed files a confirmation can carry within the request limit."""
    return current_app.config["MAX_CONTENT_LENGTH"] - CONFIRM_OVERHEAD


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
    try:
        files = _read_upload(form)
    except UploadRefused as refused:
        form.files.errors = [str(refused)]
        return render_template("admin/upload.html", form=form), 422
    if len(files) > MAX_FILES:
        form.files.errors = [_("At most %(count)d files at once.", count=MAX_FILES)]
        return render_template("admin/upload.html", form=form), 422
    # Refused here, before the check, rather than by its confirmation.
    packed = pack_files(files)
    if len(packed) > _confirm_room():
        form.files.errors = [
            _(
                "These files are too large to confirm in one upload (%(size)d KiB packed, "
                "at most %(limit)d KiB). Upload fewer of them at a time.",
                size=len(packed) // 1024,
                limit=_confirm_room() // 1024,
            )
        ]
        return render_template("admin/upload.html", form=form), 422
    _catalog, result = _check(files)
    if not result.ok:
        return render_template(
            "admin/upload.html", form=form, problems=sorted(result.problems)
        ), 422
    return _plan_page(form, files, plan_import(result.banks), packed=packed)


def _plan_page(
    form: UploadForm,
    files: list[tuple[str, bytes]],
    summary,
    status: int = 200,
    packed: str | None = None,
):
    """What importing ``files`` does, with the form that confirms exactly that."""
    packed = packed or pack_files(files)
    confirm = ConfirmUploadForm(formdata=None, files=packed, plan=plan_digest(summary))
    return render_template(
        "admin/upload.html",
        form=form,
        summary=summary,
        confirm=confirm,
        names=[name for name, _raw in files],
    ), status


@bp.post("/upload/confirm")
@staff_required("admin")
def confirm_upload():
    """Import the confirmed files, all or nothing, if the plan is still the one shown."""
    form = ConfirmUploadForm()
    if not form.validate():
        abort(400)
    files = unpack_files(form.files.data, current_app.config["QUIZ_MAX_BANK_BYTES"])
    if files is None:
        abort(400)
    catalog, result = _check(files)
    if not result.ok:
        return render_template(
            "admin/upload.html", form=UploadForm(), problems=sorted(result.problems)
        ), 422
    # Locked before planning: the plan compared is the one then applied.
    lock_banks(result.banks)
    summary = plan_import(result.banks)
    prefer = request.form.get("prefer")
    if plan_digest(summary) != form.plan.data:
        flash(
            _("The banks changed since you checked these files. Here is what importing does now."),
            "error",
        )
        return _plan_page(UploadForm(), files, summary, 409)
    if summary.conflicts and prefer not in PREFERENCES:
        flash(_("Choose whose change wins where a question changed on both sides."), "error")
        return _plan_page(UploadForm(), files, summary, 409)
    applied = import_banks(
        catalog,
        result.banks,
        current_user,
        origin="upload",
        prefer=prefer if summary.conflicts else None,
        sync=False,
    )
    db.session.commit()
    flash(import_notice(applied), "success")
    return redirect(url_for(".index"))


def _yaml_response(text: str, name: str) -> Response:
    response = Response(text, content_type="application/yaml; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/banks/<slug>.yaml")
@staff_required("teacher", "admin")
def download_bank(slug: str):
    """One bank as the YAML file ``flask quiz export DIR --bank SLUG`` writes."""
    documents = export_documents([slug], with_base=True)
    if slug not in documents:
        abort(404)
    return _yaml_response(dump_bank(documents[slug]), f"{slug}.yaml")


@bp.get("/banks.zip")
@staff_required("teacher", "admin")
def download_all():
    """Every bank, one YAML file each (as ``flask quiz export DIR`` writes them), zipped.

    The zip uploads back as it is.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for slug, document in export_documents(with_base=True).items():
            archive.writestr(f"{slug}.yaml", dump_bank(document).encode("utf-8"))
    response = Response(buffer.getvalue(), content_type="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="banks.zip"'
    return response
