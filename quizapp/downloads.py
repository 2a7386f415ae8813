"""File downloads the interfaces send: CSV for spreadsheet programs."""

from __future__ import annotations

from flask import Response, request


def csv_download(text: str, name: str) -> Response:
    """``text`` (UTF-8 with BOM, safe cells) as an attachment called ``name``."""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def first_only() -> bool:
    """Whether a report counts first answers only (the default) or all (``?answers=all``)."""
    return request.args.get("answers") != "all"
