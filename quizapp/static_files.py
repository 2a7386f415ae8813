"""Static files under content-hashed names, cached by browsers for a year.

``url_for('static', filename='style.css')`` gives ``/static/style.<hash>.css``,
the hash being the first 12 hex digits of the file's SHA-256. A phone that
loaded one page keeps the CSS and scripts for a year and never asks for
them again (``immutable``), which matters when forty phones on one
classroom Wi-Fi open the next question at once; a changed file gets a new
name, so nobody keeps an old one. The plain name still works and is
revalidated with its ETag on every use.

The files are read once, when the app starts: they ship with the package
and a deployment restarts the server. In debug mode pages use the plain
names and files are read from disk, so that an edited stylesheet shows at
the next reload.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request, send_from_directory

ONE_YEAR_S = 365 * 24 * 3600


@dataclass(frozen=True)
class StaticFile:
    """One file of the static folder, read into memory."""

    name: str
    hashed_name: str
    data: bytes
    digest: str
    mimetype: str


def hashed(name: str, digest: str) -> str:
    """``css/style.css`` → ``css/style.<digest>.css``."""
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def read_folder(folder: Path) -> dict[str, StaticFile]:
    """Every file under ``folder`` by its plain and its hashed name."""
    files: dict[str, StaticFile] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        file = StaticFile(name, hashed(name, digest), data, digest, mimetype)
        files[name] = files[file.hashed_name] = file
    return files


def init_app(app: Flask) -> None:
    """Serve the static folder from memory and point ``url_for`` at hashed names."""
    files = read_folder(Path(app.static_folder))

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and not app.debug:
            file = files.get(values.get("filename", ""))
            if file is not None:
                values["filename"] = file.hashed_name

    def serve(filename: str) -> Response:
        file = files.get(filename)
        if app.debug:
            # From disk, so that an edited stylesheet shows at the next reload.
            return send_from_directory(app.static_folder, file.name if file else filename)
        if file is None:
            abort(404)
        response = Response(file.data, mimetype=file.mimetype)
        response.set_etag(file.digest)
        if filename == file.hashed_name:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR_S
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response.make_conditional(request)

    app.view_functions["static"] = serve
