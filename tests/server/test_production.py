"""The production command: gunicorn with the repository's ``gunicorn.conf.py``.

Starts gunicorn exactly as ``python3 tasks.py serve`` does (the config
file names the app, workers and logging) on a migrated and imported
database, and checks over real HTTP what a browser gets: pages, gzip,
year-long caching of the hashed static files, and live polls.
"""

from __future__ import annotations

import gzip
import re
import runpy
import urllib.request
from types import SimpleNamespace

import pytest

from tests.bench import servers
from tests.conftest import ROOT, TEST_DATABASE_URL

CONFIG = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_the_config_file_names_the_app_and_a_measured_worker_model():
    assert CONFIG["wsgi_app"] == "quizapp:create_app()"
    assert CONFIG["worker_class"] in ("sync", "gthread")
    assert CONFIG["workers"] >= 2
    assert CONFIG["threads"] >= 1


def test_gunicorn_warns_when_it_listens_beyond_this_machine():
    """Alone, gunicorn gives a thread to each slow client: on the classroom
    network nginx goes in front (tasks.py serve --lan, test_lan.py)."""
    warned = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(
            address=[("0.0.0.0", 8000), ("127.0.0.1", 8001), ("::1", 8002), "/run/quiz.sock"]
        ),
        log=SimpleNamespace(warning=lambda message, *args: warned.append(message % args)),
    )
    CONFIG["when_ready"](server)
    assert len(warned) == 1
    assert "0.0.0.0:8000" in warned[0] and "serve --lan" in warned[0]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    url = TEST_DATABASE_URL or f"sqlite:///{folder / 'quizapp.sqlite3'}"
    if TEST_DATABASE_URL:
        servers.empty_database(url)
    env = servers.app_environment(url)
    servers.flask_command(env, "db", "upgrade")
    servers.flask_command(env, "quiz", "import")
    with servers.gunicorn("quizapp:create_app()", env, folder) as server:
        yield server
    if TEST_DATABASE_URL:
        servers.empty_database(url)


def fetch(url: str, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def test_pages_come_gzipped_with_hashed_assets_cached_for_a_year(production):
    status, headers, body = fetch(production.base + "/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(body).decode()
    stylesheet = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, body = fetch(production.base + stylesheet, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(body) == (ROOT / "quizapp" / "static" / "style.css").read_bytes()


def test_the_source_viewer_weighs_under_half_gzipped(production):
    path = "/sources/huanqiu-2024-02"
    _status, _headers, plain = fetch(production.base + path)
    _status, headers, packed = fetch(production.base + path, {"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    # (The pages differ only in their fresh CSRF token, of the same length.)
    assert len(gzip.decompress(packed)) == len(plain) and len(packed) < len(plain) / 2
