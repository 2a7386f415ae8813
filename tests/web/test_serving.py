"""Production serving: hashed static files, gzip, local assets only, proxies, page weight."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest
from flask import request, url_for

from quizapp import create_app
from quizapp.static_files import ONE_YEAR_S, hashed, read_folder
from tests.web.study_client import hidden

STATIC = Path(__file__).resolve().parents[2] / "quizapp" / "static"
ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"')
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def digest(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def test_pages_point_at_content_hashed_static_files(client):
    page = client.get("/").get_data(as_text=True)
    assert f'href="/static/style.{digest("style.css")}.css"' in page
    assert f'href="/static/favicon.{digest("favicon.svg")}.svg"' in page


def test_a_hashed_file_is_cached_for_a_year_and_never_revalidated(client):
    response = client.get(f"/static/live.{digest('live.js')}.js")
    assert response.status_code == 200
    assert response.get_data() == (STATIC / "live.js").read_bytes()
    assert response.mimetype in ("text/javascript", "application/javascript")
    control = response.cache_control
    assert control.public and control.immutable and control.max_age == ONE_YEAR_S


def test_the_plain_name_still_works_and_is_revalidated(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.cache_control.no_cache and response.cache_control.max_age is None
    again = client.get("/static/style.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize(
    "path", ["/static/nothing.css", "/static/style.000000000000.css", "/static/../config.py"]
)
def test_unknown_or_stale_names_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "app.js").write_text("one")
    before = read_folder(tmp_path)["app.js"].hashed_name
    (tmp_path / "app.js").write_text("two")
    after = read_folder(tmp_path)["app.js"].hashed_name
    assert before != after
    assert after == hashed("app.js", hashlib.sha256(b"two").hexdigest()[:12])


def test_in_debug_mode_pages_use_the_plain_names(app):
    app.debug = True
    with app.test_request_context():
        assert url_for("static", filename="style.css") == "/static/style.css"


def test_in_debug_mode_an_edited_file_is_served_as_it_is_now(app, tmp_path):
    (tmp_path / "style.css").write_text("body { color: red }")
    app.static_folder = str(tmp_path)
    app.debug = True
    client = app.test_client()

    def served(path: str) -> tuple[int, bytes]:
        with client.get(path) as response:  # a file response: closed after reading
            return response.status_code, response.get_data()

    assert served("/static/style.css") == (200, b"body { color: red }")
    (tmp_path / "style.css").write_text("body { color: blue }")
    assert served("/static/style.css") == (200, b"body { color: blue }")
    assert served("/static/missing.css")[0] == 404


def test_large_text_is_gzipped_for_browsers_that_ask(imported):
    client = imported.test_client()
    plain = client.get("/sources/huanqiu-2024-02")
    packed = client.get("/sources/huanqiu-2024-02", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    # The same page, but for the form token's time stamp, which moves on
    # when the two requests fall in different seconds.
    token = re.compile(rb'(name="csrf_token" type="hidden" value=")[^"]*"')
    unpacked = gzip.decompress(packed.get_data())
    assert token.sub(rb'\1"', unpacked) == token.sub(rb'\1"', plain.get_data())
    assert token.search(plain.get_data())
    assert int(packed.headers["Content-Length"]) < len(plain.get_data()) / 2


def test_small_responses_are_not_compressed(client):
    # A 304 or a tiny body gains nothing from gzip but costs the server time.
    response = client.get("/static/favicon.svg", headers=GZIP)
    assert len(response.get_data()) < 1400
    assert "Content-Encoding" not in response.headers


def assets_of(client, path: str) -> tuple[int, list[str]]:
    """The bytes of a page with its CSS and scripts, and every asset URL it names."""
    page = client.get(path)
    assert page.status_code == 200, path
    html = page.get_data(as_text=True)
    urls = sorted(set(ASSET.findall(html)))
    total = len(page.get_data())
    for url in urls:
        if url.startswith("/") and not url.startswith("//") and url.endswith((".css", ".js")):
            total += len(client.get(url).get_data())
    return total, urls


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_question_page_weighs_under_100_kb_and_loads_nothing_from_elsewhere(imported, language):
    client = imported.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    form = client.get("/study/start?bank=starter").get_data(as_text=True)
    started = client.post(
        "/study/start",
        data={
            "csrf_token": hidden(form, "csrf_token"),
            "token": hidden(form, "token"),
            "banks": "starter",
            "length": "3",
            "mode": "practice",
            "confidence": "y",
        },
    )
    question_path = client.get(started.headers["Location"]).headers["Location"]
    assert re.fullmatch(r"/study/[0-9a-f]+/1", question_path)
    total, urls = assets_of(client, question_path)
    assert total <= 100 * 1024, total
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls


def test_behind_a_proxy_the_forwarded_host_scheme_and_address_are_used(tmp_path):
    proxied = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxied.sqlite3'}",
            "QUIZ_PROXY_HOPS": 1,
        },
        instance_path=str(tmp_path / "proxied"),
    )

    @proxied.get("/_where")
    def where():
        return f"{request.host_url} {request.remote_addr}"

    seen = proxied.test_client().get(
        "/_where",
        headers={
            "X-Forwarded-Host": "quiz.school.example",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "10.0.0.7",
        },
    )
    assert seen.get_data(as_text=True) == "https://quiz.school.example/ 10.0.0.7"


def test_without_proxy_hops_forwarded_headers_are_ignored(app):
    @app.get("/_where")
    def where():
        return f"{request.host_url} {request.remote_addr}"

    seen = app.test_client().get(
        "/_where", headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "10.0.0.7"}
    )
    assert seen.get_data(as_text=True) == "http://localhost/ 127.0.0.1"
