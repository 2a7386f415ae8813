"""The source viewer and the language switch, in a real Chromium."""

from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Passage
from tests.browser.test_study_flow import TEXT, answer_here, start_quiz

HIGHLIGHT = "rgb(255, 201, 77)"  # --target in style.css


def passage_id(app, source_id: str, contains: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(Passage.id).where(
                Passage.source_id == source_id, Passage.exact.contains(contains)
            )
        )


def test_a_passage_link_opens_the_article_scrolled_to_the_highlighted_passage(
    imported, live_server, new_page
):
    target = passage_id(imported, "21jingji-2024-02", "跑步机")
    page = new_page()
    page.goto(f"{live_server}/sources/21jingji-2024-02?passage={target}#passage-{target}")
    mark = page.locator(f"#passage-{target}")
    expect(mark).to_be_in_viewport()
    with imported.app_context():
        exact = db.session.get(Passage, target).exact
    # The anchor is on the passage's first piece (it may overlap other passages).
    # Its text, less what it tells a screen reader first.
    shown = mark.evaluate(
        "el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('')"
    )
    assert shown and exact.startswith(shown) and "跑步机" in exact
    expect(mark).to_have_css("background-color", HIGHLIGHT)
    expect(mark).to_be_focused()  # and a screen reader reads it, announced
    expect(mark.locator(".visually-hidden")).to_have_text("The passage the question cites: ")
    assert page.evaluate("window.scrollY") > 500  # the passage is far down the article
    # The other passages of the article step back: no fill, a dotted line.
    other = page.locator("mark.cited.muted").first
    expect(other).to_have_css("background-color", "rgba(0, 0, 0, 0)")


def test_from_the_feedback_to_the_article_and_back_to_the_question(
    imported, live_server, new_page, axe_check
):
    page = new_page()
    start_quiz(page, live_server, TEXT["en"], "1")
    answer_here(page, imported, TEXT["en"])
    feedback = page.url
    page.get_by_role("link", name="Read it in the article").first.click()
    target = page.locator("mark.target").first
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()
    axe_check(page, "article-from-feedback")
    page.get_by_role("link", name="Back to the question").first.click()
    expect(page).to_have_url(feedback)
    expect(page.locator(".verdict")).to_be_visible()


def test_a_passage_in_the_text_around_the_article_is_shown_open(
    imported, live_server, new_page, axe_check
):
    target = passage_id(imported, "nandu-2024-02-20", "快照生成时间")
    page = new_page()
    page.goto(f"{live_server}/sources/nandu-2024-02-20?passage={target}#passage-{target}")
    expect(page.locator(f"#passage-{target}")).to_be_in_viewport()
    expect(page.locator("details.wrapper[open]")).to_have_count(1)
    axe_check(page, "highlight-in-wrapper")  # muted wrapper text on the highlight


def test_every_source_page_passes_axe_with_its_passages_marked(
    imported, live_server, new_page, axe_check
):
    page = new_page()
    with imported.app_context():
        sources = db.session.scalars(select(Passage.source_id).distinct()).all()
    for source_id in sorted(sources):
        page.goto(f"{live_server}/sources/{source_id}")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        axe_check(page, source_id)


def test_the_language_switch_is_remembered_across_pages(imported, live_server, new_page):
    page = new_page(locale="en-US")
    page.goto(live_server)
    expect(page.locator("h1")).to_have_text("Learn to read AI video with the evidence in hand")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("h1")).to_have_text("拿着证据，学会看懂 AI 视频")
    page.get_by_role("link", name="原文").click()
    expect(page.locator("h1")).to_have_text("原始报道")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_an_article_fits_a_360_pixel_phone(imported, live_server, new_page):
    page = new_page(locale="zh-CN", width=360, height=740)
    page.goto(f"{live_server}/sources/aitechreview-2024-03")
    expect(page.locator(".article-body p").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_skip_link_reaches_the_content_by_keyboard(imported, live_server, new_page):
    page = new_page()
    page.goto(f"{live_server}/sources/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
