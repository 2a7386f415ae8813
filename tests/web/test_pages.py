"""The home page, the source viewer, languages and security headers."""

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Passage
from tests.conftest import SEEDS, bank_size


def passage_id(app, source_id: str, contains: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Passage.id).where(
                Passage.source_id == source_id, Passage.exact.contains(contains)
            )
        )


def csrf_token(client, path="/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_home_lists_banks_with_question_counts_and_the_sources(imported, client, shipped):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Getting started: Sora&#39;s limits and deepfakes" in page
    assert f"{bank_size(shipped, 'starter')} questions" in page
    assert len(set(re.findall(r'href="/sources/([a-z0-9-]+)"', page))) == 5


def test_the_source_viewer_marks_cited_passages_and_highlights_one(imported, client):
    target = passage_id(imported, "21jingji-2024-02", "跑步机")
    page = client.get(f"/sources/21jingji-2024-02?passage={target}").get_data(as_text=True)
    # The passage may overlap others cited: it is then highlighted in pieces,
    # the first saying what it is to a screen reader.
    told = '<span class="visually-hidden">The passage the question cites: </span>'
    assert page.count(told) == 1
    pieces = re.findall(r'<mark class="cited target"[^>]*>([^<]*)<', page.replace(told, ""))
    with imported.app_context():
        exact = db.session.get(Passage, target).exact
    assert "".join(pieces) == exact and "跑步机" in exact
    assert f'<mark class="cited target" id="passage-{target}" tabindex="-1" autofocus' in page
    # The other passages of this source: marked, toned down.
    assert page.count('<mark class="cited muted"') >= 3 and '<mark class="cited"' not in page
    assert f'href="#passage-{target}"' in page
    every = client.get(f"/sources/21jingji-2024-02?passage={target}&all=1").get_data(as_text=True)
    assert every.count('<mark class="cited"') >= 3 and "muted" not in every


def test_the_viewer_hides_wrapper_text_but_says_so_and_links_the_original(imported, client):
    page = client.get("/sources/nandu-2024-02-20", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert '<details class="wrapper">' in text and "Text after the article (not part of it)" in text
    assert 'href="/sources/nandu-2024-02-20/original"' in text
    hidden = client.get("/sources/aitechreview-2024-03", headers={"Accept-Language": "en"})
    assert re.search(r"and \d+ runs of scraper noise are hidden\.", hidden.get_data(as_text=True))


def test_a_passage_in_the_wrapper_opens_it(imported, client):
    target = passage_id(imported, "nandu-2024-02-20", "快照生成时间")
    page = client.get(f"/sources/nandu-2024-02-20?passage={target}").get_data(as_text=True)
    assert '<details class="wrapper" open>' in page


def test_a_passage_of_another_source_is_not_highlighted(imported, client):
    other = passage_id(imported, "21jingji-2024-02", "跑步机")
    page = client.get(f"/sources/huanqiu-2024-02?passage={other}").get_data(as_text=True)
    assert "cited target" not in page


def test_the_original_text_is_served_byte_for_byte(imported, client):
    response = client.get("/sources/aitechreview-2024-03/original")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.data == (SEEDS / "001_f650d749c3c85d95.txt").read_bytes()


def test_an_unknown_source_is_a_404(imported, client):
    assert client.get("/sources/nope").status_code == 404
    assert client.get("/sources/nope", headers={"Accept": "application/json"}).json == {
        "error": "Not found",
        "message": "There is nothing at this address.",
    }


def test_the_browser_language_chooses_the_interface(client):
    assert "<h1>拿着证据，学会看懂 AI 视频</h1>" in client.get(
        "/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ).get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "fr, en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in english


def test_the_language_switch_is_remembered(client):
    response = client.post(
        "/language", data={"csrf_token": csrf_token(client), "zh": "1", "next": "/sources/"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/sources/"
    assert "lang=zh" in response.headers["Set-Cookie"]
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page


def test_the_language_switch_only_returns_to_this_site(client):
    response = client.post(
        "/language", data={"csrf_token": csrf_token(client), "en": "1", "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client):
    response = client.post("/language", data={"zh": "1"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "This form has expired" in response.get_data(
        as_text=True
    )
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_bank_text_is_escaped(imported, client):
    with imported.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "starter"))
        bank.title = {"zh": "<script>alert(1)</script>", "en": "<script>alert(1)</script>"}
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
