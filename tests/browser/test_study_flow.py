"""A learner practising in a real Chromium: the whole flow, in both languages.

Every page of the flow is checked with axe-core (no serious or critical
violations) and photographed into tests/artifacts.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Answer
from tests.answers import right_values, wrong_values
from tests.web.study_client import Learner, form_values

HIGHLIGHT = "rgb(255, 201, 77)"  # --target in style.css
QUESTION_URL = re.compile(r".*/study/([0-9a-f]{32})/(\d+)$")

TEXT = {
    "en": {
        "practise": "Practise this bank",
        "start": "Start",
        "length": "Number of questions",
        "fairly": "Fairly sure",
        "submit": "Submit answer",
        "next": "Next question",
        "results": "See your results",
        "read": "Read it in the article",
        "right": "Right.",
        "wrong": "Not right.",
        "score": "Score: 2 of 3 (67%)",
        "progress": "My progress",
        "continue": "Continue where you left off",
    },
    "zh": {
        "practise": "练习这个题库",
        "start": "开始",
        "length": "题目数量",
        "fairly": "比较有把握",
        "submit": "提交答案",
        "next": "下一题",
        "results": "查看成绩",
        "read": "在原文中阅读",
        "right": "答对了。",
        "wrong": "答错了。",
        "score": "得分：2 / 3（67%）",
        "progress": "我的进度",
        "continue": "从上次停下的地方继续",
    },
}
LOCALES = {"en": "en-US", "zh": "zh-CN"}


def item_content(app, url: str) -> dict:
    """The question content behind a question page's URL."""
    public_id, number = QUESTION_URL.match(url).groups()
    return Learner(app).content(public_id, int(number))


def page_values(app, page, content: dict, values: list[str]) -> list[str]:
    """``values`` (choice ids) as the question page on screen names them."""
    public_id, number = QUESTION_URL.match(page.url).groups()
    return form_values(app, public_id, int(number), content, values)


def fill_in(page, app, content: dict, values: list[str]):
    """Answer through the page's own inputs, as a learner would."""
    if content["type"] in ("numeric", "short_text"):
        page.locator("#answer").fill(values[0])
    else:
        for value in page_values(app, page, content, values):
            page.locator(f'input[name="answer"][value="{value}"]').check()


def answer_here(page, app, words: dict, right: bool = True, double_click: bool = False) -> dict:
    """Answer the question on the page (right or wrong), fairly sure; return its content."""
    content = item_content(app, page.url)
    fill_in(page, app, content, right_values(content) if right else wrong_values(content))
    page.get_by_label(words["fairly"]).check()
    button = page.get_by_role("button", name=words["submit"])
    button.dblclick() if double_click else button.click()
    expect(page.locator(".verdict")).to_be_visible()
    return content


def start_quiz(page, base: str, words: dict, length: str, axe_check=None, snap=None):
    page.goto(base + "/")
    if axe_check:
        axe_check(page, "home")
    page.get_by_role("link", name=words["practise"]).first.click()
    if axe_check:
        axe_check(page, "start")
        snap(page, "start")
    page.get_by_label(words["length"]).fill(length)
    page.get_by_role("button", name=words["start"], exact=True).click()
    expect(page).to_have_url(QUESTION_URL)


@pytest.mark.both_databases
@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_learner_completes_a_practice_quiz_and_reads_the_sources(
    imported, live_server, new_page, axe_check, snap, language
):
    words = TEXT[language]
    page = new_page(locale=LOCALES[language])
    start_quiz(page, live_server, words, "3", axe_check, snap)
    for number in (1, 2, 3):
        expect(page.locator(".progress-line")).to_contain_text(f"{number} / 3")
        axe_check(page, f"question-{number}")
        snap(page, f"question-{number}")
        content = answer_here(page, imported, words, right=number != 2)
        verdict = page.locator(".verdict")
        expect(verdict).to_contain_text(words["wrong"] if number == 2 else words["right"])
        expect(page.locator(".explanation")).to_have_text(content["explanation"][language])
        expect(page.locator("blockquote").first).to_have_text(content["sources"][0]["exact"])
        axe_check(page, f"feedback-{number}")
        snap(page, f"feedback-{number}")

        # The passage, highlighted in its article, then back to the quiz.
        feedback_url = page.url
        page.get_by_role("link", name=words["read"]).first.click()
        target = page.locator("mark.target").first  # overlapping passages split it
        expect(target).to_be_in_viewport()
        expect(target).to_have_css("background-color", HIGHLIGHT)
        if number == 1:
            axe_check(page, "source")
            snap(page, "source")
        page.goto(feedback_url)
        link = words["results"] if number == 3 else words["next"]
        page.get_by_role("link", name=link).click()

    expect(page.locator(".score")).to_have_text(words["score"])
    expect(page.locator(".review-item")).to_have_count(3)
    axe_check(page, "results")
    snap(page, "results")
    page.get_by_role("navigation").get_by_role("link", name=words["progress"]).click()
    expect(page.locator("table.attempts tbody tr")).to_have_count(1)
    axe_check(page, "progress")
    with imported.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 3


def test_closing_the_page_and_coming_back_continues_the_quiz(imported, live_server, new_page, snap):
    words = TEXT["en"]
    page = new_page()
    start_quiz(page, live_server, words, "3")
    answer_here(page, imported, words)
    context = page.context
    page.close()

    again = context.new_page()  # same browser, cookies kept; the tab was closed
    again.goto(live_server + "/")
    again.get_by_role("link", name=words["continue"]).click()
    expect(again).to_have_url(re.compile(r"/2$"))
    expect(again.locator(".progress-line")).to_contain_text("2 / 3")
    snap(again, "resumed")


def test_a_double_click_on_submit_records_one_answer(imported, live_server, new_page):
    words = TEXT["en"]
    page = new_page()
    start_quiz(page, live_server, words, "2")
    answer_here(page, imported, words, double_click=True)
    expect(page.locator(".verdict")).to_contain_text(words["right"])
    with imported.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_the_quiz_can_be_done_with_the_keyboard_alone(imported, live_server, new_page):
    words = TEXT["en"]
    page = new_page()
    start_quiz(page, live_server, words, "2")
    for _question in (1, 2):
        content = item_content(imported, page.url)
        values = right_values(content)
        if content["type"] in ("numeric", "short_text"):
            tab_to(page, "#answer")
            page.keyboard.type(values[0])
        else:
            for value in page_values(imported, page, content, values):
                tab_to(page, f'input[name="answer"][value="{value}"]', arrows=True)
                page.keyboard.press("Space")
        tab_to(page, "#confidence-2", arrows=True)
        page.keyboard.press("Space")
        tab_to(page, "button[type=submit]")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"  # the focus is visible
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".verdict")).to_contain_text(words["right"])
        tab_to(page, "a.button.primary")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page.locator(".score")).to_contain_text("Score: 2 of 2")


def test_a_whole_quiz_is_done_with_the_shortcuts_alone(imported, live_server, new_page, snap):
    """Focus on the question after each load; 1–9 choose, then 1–3 how sure;
    Enter submits and goes on. Counted: the keys pressed per question."""
    words = TEXT["en"]
    page = new_page()
    start_quiz(page, live_server, words, "")  # every question: every type
    presses = {}
    total = page.locator(".progress-line progress").get_attribute("max")
    for number in range(1, int(total) + 1):
        expect(page.locator("#prompt")).to_be_focused()
        expect(page.locator("form [data-key-hint]")).to_be_visible()
        if number == 1:
            snap(page, "keyboard-question")
        content = item_content(imported, page.url)
        values = right_values(content)
        if content["type"] in ("numeric", "short_text"):
            if values[0].isascii():
                page.keyboard.type(values[0])  # typed where the focus is: into the box
                keys = []
            else:  # Chinese comes through an input method: its first key is
                # "Process" (composing), which the page turns into a move to the box
                page.locator("#prompt").dispatch_event(
                    "keydown", {"key": "Process", "bubbles": True}
                )
                expect(page.locator("#answer")).to_be_focused()
                page.keyboard.insert_text(values[0])
                keys = ["Process"]
            expect(page.locator("#answer")).to_have_value(values[0])
            keys.append("Enter")  # no confidence yet: Enter moves to it
        else:
            shown = page.locator("fieldset.choices input").evaluate_all(
                "inputs => inputs.map(input => input.value)"
            )
            sent = page_values(imported, page, content, values)
            keys = [str(shown.index(value) + 1) for value in sent]
            if content["type"] == "multiple":
                keys.append("Enter")  # the answers are chosen: on to the confidence
        keys += ["2", "Enter"]
        for key in keys[1:] if keys[0] == "Process" else keys:
            page.keyboard.press(key)
        presses.setdefault(content["type"], []).append(len(keys))
        expect(page.locator(".verdict")).to_contain_text(words["right"])
        expect(page.locator(".feedback")).to_be_focused()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page.locator(".score")).to_contain_text(f"Score: {total} of {total}")
    assert {"single", "multiple", "true_false", "numeric", "short_text"} <= presses.keys()
    # One choice: its number, how sure, Enter; a typed answer: Enter, how sure,
    # Enter (and a Tab first for Chinese, typed through an input method).
    for kind, counts in presses.items():
        if kind in ("single", "true_false", "claim", "numeric"):
            assert set(counts) == {3}, presses
        elif kind == "short_text":
            assert set(counts) <= {3, 4}, presses


def tab_to(page, selector: str, arrows: bool = False, limit: int = 60):
    """Press Tab (and, inside a radio group, arrow keys) until ``selector`` has focus."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        in_radio_group = page.evaluate(
            "s => { const a = document.activeElement, t = document.querySelector(s);"
            " return a?.type === 'radio' && t.type === 'radio' && a.name === t.name; }",
            selector,
        )
        page.keyboard.press("ArrowDown" if arrows and in_radio_group else "Tab")
    raise AssertionError(f"could not reach {selector} with the keyboard")


PHONE = {"width": 360, "height": 740}


def test_every_page_fits_a_360_pixel_phone(imported, live_server, new_page, snap):
    words = TEXT["zh"]
    page = new_page(locale="zh-CN", **PHONE)

    def fits(step):
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{step} is {width}px wide"
        snap(page, f"phone-{step}")

    start_quiz(page, live_server, words, "2")
    fits("question")
    for number in (1, 2):
        answer_here(page, imported, words)
        fits(f"feedback-{number}")
        # The way on is on screen, however long the feedback (kept at the bottom).
        way_on = words["next"] if number == 1 else words["results"]
        expect(page.get_by_role("link", name=way_on)).to_be_in_viewport()
        if number == 1:
            with page.expect_navigation():
                page.get_by_role("link", name=words["next"]).click()
            fits("question-2")
    with page.expect_navigation():
        page.get_by_role("link", name=words["results"]).click()
    fits("results")
    page.goto(live_server + "/study/progress")
    fits("progress")


def test_the_quiz_works_with_javascript_off(imported, browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        start_quiz(page, live_server, TEXT["en"], "1")
        answer_here(page, imported, TEXT["en"])
        expect(page.locator(".verdict")).to_contain_text("Right.")
        page.get_by_role("link", name=TEXT["en"]["results"]).click()
        expect(page.locator(".score")).to_have_text("Score: 1 of 1 (100%)")
    finally:
        context.close()


def test_the_accessibility_check_catches_a_broken_page(new_page, axe_check):
    page = new_page()
    page.set_content(
        '<html><body><img src="x.png"><input type="text">'
        '<button></button><p style="color:#eee;background:#fff">faint</p></body></html>'
    )
    with pytest.raises(AssertionError, match="button-name"):
        axe_check(page, "broken-on-purpose")


def test_switching_the_language_mid_question_keeps_the_answer_given(
    imported, live_server, new_page
):
    words = TEXT["en"]
    page = new_page()
    start_quiz(page, live_server, words, "")
    # To a question with choices (the typed ones are kept too, by the same code).
    while item_content(imported, page.url)["type"] in ("numeric", "short_text"):
        answer_here(page, imported, words)
        page.get_by_role("link", name=words["next"]).click()
    question = page.url
    content = item_content(imported, page.url)
    values = wrong_values(content)
    fill_in(page, imported, content, values)
    page.get_by_label(words["fairly"]).check()
    values = page_values(imported, page, content, values)
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.url == question
    for value in values:
        expect(page.locator(f'input[name="answer"][value="{value}"]')).to_be_checked()
    expect(page.get_by_label(TEXT["zh"]["fairly"])).to_be_checked()
    # Where the keys left off: the answer is complete, so Enter sends it.
    expect(page.get_by_role("button", name=TEXT["zh"]["submit"])).to_be_focused()
    # Not sent yet, so a reload (or a phone's browser dropping the tab) keeps it too.
    page.reload()
    for value in values:
        expect(page.locator(f'input[name="answer"][value="{value}"]')).to_be_checked()
    expect(page.get_by_label(TEXT["zh"]["fairly"])).to_be_checked()
    # Sent: the server has it, and this tab keeps nothing more of it.
    page.get_by_role("button", name=TEXT["zh"]["submit"]).click()
    expect(page.locator(".verdict")).to_be_visible()
    kept = "() => Object.keys(sessionStorage).filter(k => k.startsWith('quizapp.kept:'))"
    assert page.evaluate(kept) == []


def test_a_choice_made_by_key_outlives_a_reload(imported, live_server, new_page):
    """A choice set by the number keys (no change event) is kept as one clicked is."""
    words = TEXT["en"]
    page = new_page()
    start_quiz(page, live_server, words, "")
    while item_content(imported, page.url)["type"] != "single":
        answer_here(page, imported, words)
        page.get_by_role("link", name=words["next"]).click()
    # The keys work once the page's script runs, which shows their hint: a key
    # pressed before that (a slow machine) would be the browser's alone.
    expect(page.locator("#prompt")).to_be_focused()
    expect(page.locator("form [data-key-hint]")).to_be_visible()
    page.keyboard.press("2")
    chosen = page.locator("fieldset.choices input:checked")
    expect(chosen).to_have_count(1)
    value = chosen.get_attribute("value")
    page.reload()
    expect(page.locator(f'fieldset.choices input[value="{value}"]')).to_be_checked()


def test_a_touch_phone_shows_no_keyboard_hint_nor_number_badges(imported, live_server, new_page):
    page = new_page(width=360, height=740, has_touch=True, is_mobile=True)
    start_quiz(page, live_server, TEXT["en"], "")
    while item_content(imported, page.url)["type"] in ("numeric", "short_text"):
        answer_here(page, imported, TEXT["en"])
        page.get_by_role("link", name=TEXT["en"]["next"]).click()
    assert page.locator(".key").count() >= 2
    for element in page.locator(".key-hint").all():
        expect(element).to_be_hidden()


def test_an_empty_answer_is_refused_in_the_interfaces_language(imported, live_server, new_page):
    """Not the browser's own bubble (in the browser's language): the server's message."""
    page = new_page(locale="en-US")  # an English browser, the Chinese interface chosen
    start_quiz(page, live_server, TEXT["en"], "1")
    page.get_by_role("button", name="中文").click()
    page.get_by_role("button", name=TEXT["zh"]["submit"]).click()
    expect(page.locator(".form-error")).to_have_text("请先选择或填写答案。")
    expect(page.locator("input[name=answer]:checked")).to_have_count(0)


def test_a_tap_anywhere_on_a_choices_tile_chooses_it_and_the_verdict_stays_beside_next(
    imported, live_server, new_page
):
    words = TEXT["en"]
    page = new_page(width=360, height=740)
    start_quiz(page, live_server, words, "")
    while item_content(imported, page.url)["type"] in ("numeric", "short_text", "multiple"):
        answer_here(page, imported, words)
        page.get_by_role("link", name=words["next"]).click()
    tiles = page.locator("fieldset.choices .choice")
    tile = tiles.nth(1)
    box = tile.bounding_box()
    assert box["height"] >= 44 and box["width"] > 250
    # Beyond the words, at the tile's right edge: still this choice (a click
    # at a point of the tile, scrolled into view first: a claim's passage
    # can push the choices below the fold).
    tile.click(position={"x": box["width"] - 4, "y": box["height"] / 2})
    expect(tile.locator("input")).to_be_checked()
    expect(tiles.nth(0).locator("input")).not_to_be_checked()
    page.get_by_label(words["fairly"]).check()
    page.get_by_role("button", name=words["submit"]).click()
    verdict = page.locator(".next-verdict")
    expect(verdict).to_be_visible()
    expect(verdict).to_have_text(re.compile(r"^(✓ Right\.|½ Partly right\.|✗ Not right\.)$"))
    bar = page.locator("p.next").bounding_box()
    assert bar["y"] + bar["height"] <= 740 + 0.5  # in the bar at the bottom of the screen
