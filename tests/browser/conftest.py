"""Real-browser fixtures: the app on a live local server, driven in Chromium.

Playwright drives Debian's Chromium (its own browser download does not work
offline). Where Chromium is missing the browser tests are skipped, unless
QUIZ_REQUIRE_BROWSER=1 (set by CI), where they fail instead.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_DATABASE_URL

CHROMIUM = Path(os.environ.get("QUIZ_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Without these, Chromium keeps trying to reach Google's services and
# the closed network here refuses each attempt.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder as a browser test.

    On the PostgreSQL leg (``tasks.py test-postgres``) only the browser tests
    marked ``both_databases`` run, and the rest are reported as deselected:
    CI's SQLite leg runs every browser test, and what the PostgreSQL leg is
    for (queries, locks, transactions) the web and service tests cover over
    HTTP on it. The few kept are whole journeys where the two meet: a live
    lesson with phones that drop, self-study, the editor and the bank files.
    Browser tests were half of each leg's time, and the legs share two cores.
    """
    kept, deselected = [], []
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if TEST_DATABASE_URL and item.get_closest_marker("both_databases") is None:
                deselected.append(item)
                continue
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("QUIZ_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def serve(application) -> tuple:
    """Serve ``application`` on a free local port: (server, its thread)."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    server.daemon_threads = False  # so that server_close() waits for the last requests
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(application, server, thread) -> None:
    """Stop a server of :func:`serve` once no request of it is left running.

    Its held polls are answered first (they would otherwise wake up to
    20 s later, when the next test may be dropping the tables they read).
    """
    watch = getattr(application, "extensions", {}).get("quizapp.poll_watch")
    if watch is not None:
        watch.close()
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def live_server(imported):
    """The imported app served on a free local port; yields its base URL."""
    server, thread = serve(imported)
    yield f"http://127.0.0.1:{server.server_port}"
    stop(imported, server, thread)


@pytest.fixture
def serve_app():
    """Serve any application on a free local port: ``serve(app)`` returns its base URL.

    For suites that need a small bank rather than the ``imported`` one
    behind ``live_server``; every server is stopped after the test.
    """
    servers = []

    def serve_one(application) -> str:
        server, thread = serve(application)
        servers.append((application, server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve_one
    for application, server, thread in servers:
        stop(application, server, thread)


@pytest.fixture
def new_page(browser, request):
    """Open pages in fresh browser contexts; save a screenshot of each at the end."""
    contexts = []

    def open_page(locale: str = "en-US", width: int = 1280, height: int = 800, **options):
        """A page in a new context; ``options`` as Playwright's (``has_touch=True``...)."""
        context = browser.new_context(
            locale=locale, viewport={"width": width, "height": height}, **options
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    ARTIFACTS.mkdir(exist_ok=True)
    for index, context in enumerate(contexts):
        for number, page in enumerate(context.pages):
            name = f"{request.node.name}-{index}-{number}.png"
            page.screenshot(path=str(ARTIFACTS / name), full_page=False)
        context.close()


# axe-core rule impacts that fail a page; "minor" and "moderate" are reported
# in the saved results but do not fail the test.
FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def axe_check(request):
    """Run axe-core on a page; fail on serious or critical violations.

    Every run's violations are saved under tests/artifacts as JSON, named
    after the test and the step, so a failure can be read after CI.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, step: str):
        # A page still loading (after a click that navigates) has no document
        # for axe to read yet.
        page.wait_for_load_state("load")
        results = axe.run(page).response
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-axe-{step}.json"
        path.write_text(json.dumps(results["violations"], indent=1, ensure_ascii=False))
        failing = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in results["violations"]
            if v["impact"] in FAILING_IMPACTS
        ]
        assert failing == [], f"axe on {step} ({page.url}):\n" + "\n".join(failing)
        return results

    return check


@pytest.fixture
def snap(request):
    """Save a screenshot of a step of the flow under tests/artifacts."""

    def save(page, step: str):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{step}.png"), full_page=True)

    return save


@pytest.fixture
def editor_site(app, runner, write_bank, serve_app):
    """A one-question bank (``make_bank()``), imported and served: a :class:`Site`."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import Question
    from tests.browser.editor_site import Site
    from tests.conftest import make_bank

    result = runner.invoke(args=["quiz", "import", str(write_bank(make_bank()))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.key == "q1"))
    return Site(app, serve_app(app), question_id)
