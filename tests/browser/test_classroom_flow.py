"""Classroom sessions in a real Chromium: a teacher, a projector and phones.

Each person is a separate browser context (cookies of their own). Live
updates are polled once a second, so every wait below is an ``expect``
with a generous timeout, never a sleep. A page marks itself
(``window.stayed``) before a live update is awaited, and the mark still
being there afterwards proves the page changed in place, not by a reload.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, ClassSession, Player, PlayerAnswer, SessionItem
from quizapp.services.content import published_by_bank
from tests.answers import right_values, wrong_values
from tests.web.classroom_client import PASSWORD, Teacher, make_user

LIVE = 10_000  # ms: a poll every second, a page fetch, some slack for a busy machine
UNDO = 3_000  # ms: a tapped tile is sent when its undo bar runs out
HOST_URL = re.compile(r".*/classroom/([0-9a-f]{32})$")
PHONE = {"width": 360, "height": 740}
#: The join code as the screens show it: two groups of three digits.
SPACED_CODE = re.compile(r"\d{3} \d{3}")
BOM = b"\xef\xbb\xbf"


# --- data --------------------------------------------------------------------


def starter_questions(app, count: int) -> list[tuple[int, dict]]:
    """The first ``count`` published questions of the starter bank: (version id, content)."""
    with app.app_context():
        bank = db.session.scalar(select(Bank).where(Bank.slug == "starter"))
        versions = published_by_bank()[bank.id][:count]
        return [(version.id, version.content) for version in versions]


def four_choice_question(app) -> int:
    """The version id of the first published single-choice question with four choices."""
    with app.app_context():
        for versions in published_by_bank().values():
            for version in versions:
                content = version.content
                if content["type"] == "single" and len(content["choices"]) == 4:
                    return version.id
    raise AssertionError("no four-choice question is published")


def item_content(app, public_id: str, position: int) -> dict:
    """The content of the question at ``position`` of session ``public_id``."""
    with app.app_context():
        item = db.session.scalar(
            select(SessionItem)
            .join(ClassSession)
            .where(ClassSession.public_id == public_id, SessionItem.position == position)
        )
        return item.question_version.content


def recorded_answers(app, public_id: str) -> list[tuple[str, int, int, list]]:
    """Every stored answer of the session: (nickname, position, round, response)."""
    with app.app_context():
        rows = db.session.execute(
            select(Player.nickname, PlayerAnswer.position, PlayerAnswer.round, PlayerAnswer)
            .join(Player, PlayerAnswer.player_id == Player.id)
            .join(ClassSession, Player.session_id == ClassSession.id)
            .where(ClassSession.public_id == public_id)
            .order_by(Player.id, PlayerAnswer.position, PlayerAnswer.round)
        )
        return [
            (name, position, round_, answer.response) for name, position, round_, answer in rows
        ]


def player_names(app, public_id: str) -> list[str]:
    """The nicknames of the session's players, in joining order."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Player.nickname)
                .join(ClassSession)
                .where(ClassSession.public_id == public_id)
                .order_by(Player.id)
            )
        )


def choice_text(content: dict, value: str, language: str) -> str:
    """The words of choice ``value`` (single/multiple questions)."""
    return next(c["text"][language] for c in content["choices"] if c["id"] == value)


# --- pages -------------------------------------------------------------------


def mark_stay(page) -> None:
    """Mark the page so that a reload (which forgets the mark) can be detected."""
    page.evaluate("window.stayed = true")


def assert_stayed(page) -> None:
    assert page.evaluate("window.stayed === true"), f"{page.url} reloaded instead of updating"


def log_in(page, base: str, name: str = "ms-li") -> None:
    """Log in through the form; the dashboard follows."""
    page.goto(base + "/auth/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My sessions")).to_be_visible()


def create_through_form(
    page, prompts: list[str], pacing: str = "teacher", nicknames: str = "free", off=()
) -> str:
    """Pick ``prompts`` in the question picker and create the session; return its public id.

    The form's default is generated nicknames; ``nicknames="free"`` (the
    default here) lets students type theirs. ``off`` names option boxes to
    untick (``auto_close``, ``scoreboard``, …)."""
    page.get_by_role("link", name="New session").click()
    page.locator("details.question-picker summary").click()
    for prompt in prompts:
        page.get_by_label(prompt, exact=True).check()
    if pacing == "student":
        page.get_by_role("radio", name=re.compile("^Student-paced")).check()
    page.locator(f'input[name="nicknames"][value="{nicknames}"]').check()
    for box in off:
        page.locator(f"#{box}").uncheck()
    page.get_by_role("button", name="Create the session").click()
    expect(page).to_have_url(HOST_URL)
    return HOST_URL.match(page.url).group(1)


def join_code(page) -> str:
    """The join code on a teacher's screen, as shown ("121 458"): students type it so."""
    shown = page.locator(".join-code").inner_text().strip()
    assert SPACED_CODE.fullmatch(shown), shown
    return shown


def join(page, base: str, code: str, nickname: str | None) -> None:
    """Type the code and a nickname on the join page (works in any interface language);
    ``None`` for a session that gives nicknames."""
    page.goto(base + "/play/")
    page.locator("#code").fill(code)
    if nickname is not None:
        page.locator("#nickname").fill(nickname)
    page.locator("form.stacked-form button[type=submit]").click()
    expect(page.locator(".session-line .nickname")).to_contain_text(nickname or "")


def device_values(page) -> list[str]:
    """The answer values in the order this device shows them (tiles or fields)."""
    expect(page.locator("form.question-form")).to_be_visible(timeout=LIVE)
    return page.locator(
        'form.question-form button[name="answer"], form.question-form input[name="answer"]'
    ).evaluate_all("choices => choices.map(c => c.value)")


def tile(page, value: str):
    """The one-tap tile of answer ``value``."""
    return page.locator(f'form.question-form button.tile[name="answer"][value="{value}"]')


def tap(page, value: str, keys: bool = False) -> None:
    """Tap the tile ``value`` (or press its number): it is chosen, the undo bar
    counts down, and the answer goes when it runs out (see :func:`sent`)."""
    if keys:
        page.keyboard.press(str(device_values(page).index(value) + 1))
    else:
        tile(page, value).click()
    expect(tile(page, value)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-undo-bar]")).to_be_visible()


def sent(page) -> None:
    """The answer was taken: the question's form is gone, with no error."""
    expect(page.locator("form.question-form"), "the answer was not taken").to_have_count(
        0, timeout=UNDO + LIVE
    )
    expect(page.locator(".flash-error")).to_have_count(0)


def answer_by_mouse(page, value: str) -> None:
    """Click the choice ``value`` (a tile; a field and the submit button for
    other questions); the answer must be taken."""
    device_values(page)
    if tile(page, value).count():
        # With the script, after the undo bar; without, the tap posts at once.
        tile(page, value).click()
    else:
        page.locator(f'input[name="answer"][value="{value}"]').check()
        page.locator("form.question-form button[type=submit]").click()
    sent(page)


def answer_by_keys(page, value: str) -> None:
    """Press the number of ``value`` on this device; no mouse. The tile is
    chosen and, once the undo bar ran out, the answer is sent in place,
    without a reload (teacher-paced)."""
    mark_stay(page)
    tap(page, value, keys=True)
    expect(tile(page, value)).to_be_focused()
    sent(page)
    expect(page.locator(".flash-status")).to_have_text("Your answer is recorded.")
    assert_stayed(page)


def places(points: dict[str, int]) -> dict[str, int]:
    """Each one's place, ties sharing one ("1, 2, 2, 4")."""
    return {who: 1 + sum(other > mine for other in points.values()) for who, mine in points.items()}


def press(page, button: str) -> None:
    """A teacher's control button (a form post: the console page is reloaded).

    Waits for the reloaded page: a check run while the post is still on its
    way would read a document that is being replaced."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=button).click()


def session_for_students(app, version_ids: list[int]) -> tuple[Teacher, str, str]:
    """A teacher logged in through the test client, and a fresh session of
    ``version_ids`` (teacher-paced): (teacher, public id, join code)."""
    teacher = Teacher(app)
    public_id = teacher.create(questions=version_ids)
    return teacher, public_id, teacher.code(public_id)


def starter_session(app, count: int) -> tuple[Teacher, str, str]:
    """:func:`session_for_students` with the first ``count`` starter questions."""
    return session_for_students(
        app, [version_id for version_id, _ in starter_questions(app, count)]
    )


def fits_phone(page, step: str, snap) -> None:
    """The page scrolls no wider than the phone; photographed as ``phone-<step>``."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{step} is {width}px wide"
    snap(page, f"phone-{step}")


# --- tests -------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_teacher_and_three_students_play_a_teacher_paced_session_to_the_csv(
    imported, live_server, new_page, snap
):
    base = live_server
    questions = starter_questions(imported, 3)
    make_user(imported)

    # The teacher logs in and creates a session of three questions. The
    # form's defaults: the scoreboard between questions and closing when
    # all have answered are on; here the teacher closes each question.
    host = new_page()
    log_in(host, base)
    host.get_by_role("link", name="New session").click()
    expect(host.locator('input[name="nicknames"][value="generated"]')).to_be_checked()
    for box, ticked in {"scoreboard": True, "auto_close": True, "discussion": False}.items():
        expect(host.locator(f"#{box}")).to_be_checked(checked=ticked)
    host.go_back()
    public_id = create_through_form(
        host, [content["prompt"]["en"] for _, content in questions], off=["auto_close"]
    )
    code = join_code(host)
    host.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    snap(host, "lobby-empty")

    # Three students join by typing the code as shown; the lobby fills without a reload.
    nicknames = {"ann": "Ann", "bo": "Bo", "xiao": "小龙"}
    phones = {"ann": new_page(), "bo": new_page(), "xiao": new_page(locale="zh-CN")}
    language = {"ann": "en", "bo": "en", "xiao": "zh"}
    mark_stay(host)
    for who, phone in phones.items():
        join(phone, base, code, nicknames[who])
    expect(host.locator(".player-list.lobby .nickname")).to_have_text(
        list(nicknames.values()), timeout=LIVE
    )
    assert_stayed(host)
    expect(phones["xiao"].locator("html")).to_have_attribute("lang", "zh-Hans")
    snap(host, "lobby-full")

    points = {who: 0 for who in phones}
    for position in range(3):
        content = item_content(imported, public_id, position)
        for phone in phones.values():
            mark_stay(phone)
        press(host, "Start the quiz" if position == 0 else "Next question")

        # Every phone shows the prompt and every choice as a tile, in its own language.
        expect(host.locator("h1.prompt")).to_have_text(content["prompt"]["en"])
        for who, phone in phones.items():
            expect(phone.locator("h1.prompt")).to_have_text(
                content["prompt"][language[who]], timeout=LIVE
            )
            expect(phone.locator('button.tile[name="answer"]')).to_have_count(
                len(content.get("choices", ())) or 2
            )
            if content["type"] == "single":
                for choice in content["choices"]:
                    expect(phone.locator("fieldset.tiles")).to_contain_text(
                        choice["text"][language[who]]
                    )
            assert_stayed(phone)
        # The interface follows each device's language, too.
        expect(phones["xiao"].locator(".question-top .progress-line")).to_contain_text(
            f"第 {position + 1} 题，共 3 题"
        )
        snap(phones["xiao"], f"question-{position + 1}-zh")

        right, wrong = right_values(content)[0], wrong_values(content)[0]
        # Question 1: Xiao is wrong; question 2: Bo is wrong; question 3: all right.
        picks = {
            "ann": right,
            "bo": wrong if position == 1 else right,
            "xiao": wrong if position == 0 else right,
        }
        if position == 0:
            # Xiao's phone reloads mid-question and is still the same player.
            phones["xiao"].reload()
            expect(phones["xiao"].locator(".session-line .nickname")).to_contain_text("小龙")
            expect(phones["xiao"].locator("h1.prompt")).to_have_text(content["prompt"]["zh"])

        mark_stay(host)
        if position == 0:
            # One at a time: the count on the console follows each answer.
            for count, who in enumerate(("ann", "bo", "xiao"), start=1):
                if who == "bo":
                    answer_by_keys(phones[who], picks[who])
                else:
                    answer_by_mouse(phones[who], picks[who])
                expected_count = (
                    "Everyone has answered (3 of 3)."
                    if count == 3
                    else f"{count} of 3 students have answered."
                )
                expect(host.locator(".answer-count")).to_have_text(expected_count, timeout=LIVE)
        else:
            # All at once: three tiles tapped, three undo bars running out together.
            for who, phone in phones.items():
                tap(phone, picks[who], keys=who == "bo")
            for phone in phones.values():
                sent(phone)
            expect(host.locator(".answer-count")).to_have_text(
                "Everyone has answered (3 of 3).", timeout=LIVE
            )
        for who in phones:
            points[who] += picks[who] == right
        assert_stayed(host)

        if position == 0:
            # Discussion, then a second vote: the answer stays hidden on the
            # phones until the reveal, and everyone picks the right one now.
            for phone in phones.values():
                mark_stay(phone)
            press(host, "Stop for discussion (answer hidden)")
            expect(host.locator(".progress-line")).to_contain_text("votes in, answer hidden")
            for phone in phones.values():
                expect(phone.locator(".chosen")).to_be_visible(timeout=LIVE)
                expect(phone.locator(".verdict")).to_have_count(0)
            expect(phones["ann"].get_by_role("heading", name="Talk it over")).to_be_visible()
            press(host, "Vote again after discussion")
            expect(host.locator(".progress-line")).to_contain_text("Vote again")
            for phone in phones.values():
                expect(phone.locator("form.question-form")).to_be_visible(timeout=LIVE)
                assert_stayed(phone)
                tap(phone, right)
            for phone in phones.values():
                sent(phone)
            expect(host.locator(".answer-count")).to_have_text(
                "Everyone has answered (3 of 3).", timeout=LIVE
            )
            # The verdicts stay those of the first vote, the one that scores;
            # the second is told beside them.

        for phone in phones.values():
            mark_stay(phone)
        press(host, "Close the question and show the answers")

        # The console: bars, the right answer, why, and the source.
        bars = host.locator(".bars li")
        expect(bars).to_have_count(len(content.get("choices", ())) or 2)
        correct = host.locator(".bars li.correct")
        expect(correct).to_have_count(1)
        if content["type"] == "single":
            expect(correct).to_contain_text(choice_text(content, right, "en"))
        if position == 0:
            expect(correct.locator(".bar-count")).to_have_text("3 (first vote: 2)")
            expect(
                host.get_by_role("heading", name="How answers moved after discussion")
            ).to_be_visible()
            expect(host.locator(".moves-line")).to_contain_text("right both times: 2")
            expect(host.locator(".moves-line")).to_contain_text("wrong, then right: 1")
        expect(host.locator(".explanation")).to_have_text(content["explanation"]["en"])
        expect(host.locator("blockquote").first).to_have_text(content["sources"][0]["exact"])
        snap(host, f"closed-{position + 1}")

        # Each phone shows its own result, live.
        for who, phone in phones.items():
            verdict = "verdict-right" if picks[who] == right else "verdict-wrong"
            expect(phone.locator(f".verdict.{verdict}")).to_be_visible(timeout=LIVE)
            expect(phone.locator(".explanation")).to_have_text(
                content["explanation"][language[who]]
            )
            expect(phone.locator("blockquote").first).to_have_text(content["sources"][0]["exact"])
            if position == 0:
                expect(phone.locator(".revote-line")).to_be_visible()
            assert_stayed(phone)
        snap(phones["xiao"], f"closed-{position + 1}-zh")

        if position < 2:
            # The scoreboard between questions: each phone its own place, ties shared.
            press(host, "Show the scoreboard")
            expect(host.locator(".progress-line")).to_contain_text("scoreboard")
            for who, place in places(points).items():
                said = {
                    "en": f"You are in place {place} of 3.",
                    "zh": re.compile(rf"第 ?{place} ?名"),
                }[language[who]]
                expect(phones[who].locator(".score")).to_have_text(said, timeout=LIVE)
                assert_stayed(phones[who])

    # The final results, on the console and on every phone, with places.
    for phone in phones.values():
        mark_stay(phone)
    press(host, "Show the final results")
    board = host.locator(".leaderboard li")
    expect(board).to_have_count(3)
    expect(board.first).to_contain_text("Ann")
    expect(board.first).to_contain_text("3 points")
    expect(board.locator(".place")).to_have_text(["1", "2", "2"])
    snap(host, "final")
    for who, phone in phones.items():
        expect(phone.locator(".leaderboard li")).to_have_count(3, timeout=LIVE)
        expect(phone.locator(".leaderboard li.me")).to_contain_text(nicknames[who])
        expect(phone.locator(".score").first).to_contain_text(str(points[who]))
        assert_stayed(phone)
    expect(phones["bo"].locator(".score").nth(1)).to_have_text("Your place: 2 of 3")
    snap(phones["xiao"], "final-zh")

    # The results page and the students' CSV.
    host.get_by_role("link", name="See the full results").click()
    expect(host.get_by_role("heading", level=1)).to_contain_text("Results")
    snap(host, "results")
    # Each "correct" tag on one line, beside an answer that wraps.
    heights = host.locator(".bars .tag-correct").evaluate_all(
        "tags => tags.map(t => t.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(t).lineHeight))"
    )
    assert heights and max(heights) < 1.5, heights
    with host.expect_download() as download_info:
        host.get_by_role("link", name="Students (CSV)").click()
    raw = Path(download_info.value.path()).read_bytes()
    assert raw.startswith(BOM)
    rows = list(csv.reader(io.StringIO(raw[len(BOM) :].decode("utf-8"))))
    assert len(rows) == 1 + 3  # the header and one row per student
    students = {row[0]: row[1] for row in rows[1:]}
    assert students == {"Ann": "3", "Bo": "2", "小龙": "2"}
    assert points == {"ann": 3, "bo": 2, "xiao": 2}
    assert player_names(imported, public_id) == ["Ann", "Bo", "小龙"]
    # Three answers a question, three more in question 1's second vote: no more, no fewer.
    assert len(recorded_answers(imported, public_id)) == 3 * 3 + 3


def test_a_student_paced_session_gives_feedback_and_fills_the_teachers_grid_live(
    imported, live_server, new_page, snap
):
    base = live_server
    questions = starter_questions(imported, 3)
    make_user(imported)
    host = new_page()
    log_in(host, base)
    public_id = create_through_form(
        host, [content["prompt"]["en"] for _, content in questions], pacing="student"
    )
    code = join_code(host)
    phones = {name: new_page() for name in ("Ann", "Bo", "Cy")}
    for name, phone in phones.items():
        join(phone, base, code, name)
    press(host, "Start the quiz")
    expect(host.get_by_role("heading", name="Students are working")).to_be_visible()
    mark_stay(host)

    def cell(name: str, position: int):
        row = host.locator("table.grid tbody tr", has=host.get_by_role("rowheader", name=name))
        return row.locator("td").nth(position)

    for name in phones:
        for position in range(3):
            expect(cell(name, position)).to_have_class("cell-waiting")

    # Ann answers everything right, Bo gets the first one wrong, Cy stops after one.
    # Each question is tapped on every phone that gets to it at once.
    plan = {"Ann": [True, True, True], "Bo": [False, True], "Cy": [True]}
    for position in range(3):
        content = item_content(imported, public_id, position)
        working = {
            name: rights[position] for name, rights in plan.items() if position < len(rights)
        }
        for name, right in working.items():
            phone = phones[name]
            expect(phone.locator("h1.prompt")).to_have_text(content["prompt"]["en"], timeout=LIVE)
            tap(phone, (right_values if right else wrong_values)(content)[0])
        for name, right in working.items():
            phone = phones[name]
            sent(phone)
            # Feedback at once, as in self-study: the verdict and the source.
            verdict = phone.locator(".verdict-right" if right else ".verdict-wrong")
            expect(verdict).to_contain_text("Right." if right else "Not right.")
            expect(phone.locator("blockquote").first).to_have_text(content["sources"][0]["exact"])
            if name == "Bo" and position == 0:
                snap(phone, "feedback-wrong")
            phone.locator("p.next a").click()
            # Meanwhile the console's grid has the answer, without a reload.
            expect(cell(name, position)).to_have_class(
                "cell-right" if right else "cell-wrong", timeout=LIVE
            )
            expect(cell(name, position)).to_contain_text("right" if right else "wrong")
    expect(cell("Cy", 1)).to_contain_text("not yet")
    expect(
        phones["Ann"].get_by_role("heading", name="You have answered every question")
    ).to_be_visible()
    assert_stayed(host)
    snap(host, "grid")

    for phone in phones.values():
        mark_stay(phone)
    press(host, "End the session")
    expect(host.get_by_role("heading", name="The session has ended")).to_be_visible()
    for phone in phones.values():
        expect(phone.get_by_role("heading", name="The session has ended")).to_be_visible(
            timeout=LIVE
        )
        assert_stayed(phone)
    snap(phones["Cy"], "ended")


def test_on_a_students_phone_keys_one_to_four_tap_a_tile_and_the_answer_goes_after_the_undo(
    imported, live_server, new_page
):
    teacher, public_id, code = session_for_students(imported, [four_choice_question(imported)])
    phone = new_page()
    join(phone, live_server, code, "Keys")
    teacher.act(public_id, "start")
    values = device_values(phone)
    tiles = phone.locator('form.question-form button.tile[name="answer"]')
    undo_bar = phone.locator("[data-undo-bar]")
    mark_stay(phone)

    # Each number taps its tile: chosen, focused (visibly), the undo bar counting.
    for number in range(1, 5):
        phone.keyboard.press(str(number))
        expect(tiles.nth(number - 1)).to_have_attribute("aria-pressed", "true")
        expect(tiles.nth(number - 1)).to_be_focused()
        outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"  # the focus is visible
        expect(undo_bar).to_be_visible()
    for number in range(3):
        expect(tiles.nth(number)).to_have_attribute("aria-pressed", "false")
    expect(undo_bar.locator("[data-undo-seconds]")).to_have_text(re.compile("^[1-3]$"))
    assert recorded_answers(imported, public_id) == []  # not before the undo window ends

    # Undo takes the choice back; nothing is sent.
    undo_bar.get_by_role("button", name="Undo").click()
    expect(undo_bar).to_be_hidden()
    expect(tiles.nth(3)).to_have_attribute("aria-pressed", "false")
    expect(tiles.nth(3)).to_be_focused()

    # Pressed again, the answer goes by itself when the window runs out.
    phone.keyboard.press("4")
    expect(phone.get_by_role("heading", name="Answer recorded")).to_be_visible(timeout=UNDO + LIVE)
    expect(phone.locator("form.question-form")).to_have_count(0)
    assert_stayed(phone)  # sent by live.js: the screen changed in place
    assert recorded_answers(imported, public_id) == [("Keys", 0, 1, values[3])]


def test_the_console_keeps_the_teachers_focus_when_a_student_joins(imported, live_server, new_page):
    make_user(imported)
    host = new_page()
    log_in(host, live_server)
    create_through_form(host, [starter_questions(imported, 1)[0][1]["prompt"]["en"]])
    code = join_code(host)
    start = host.get_by_role("button", name="Start the quiz")
    start.focus()
    mark_stay(host)
    join(new_page(), live_server, code, "Dee")
    expect(host.locator(".player-list.lobby .nickname")).to_have_text(["Dee"], timeout=LIVE)
    expect(start).to_be_focused()
    assert_stayed(host)


def test_every_page_of_a_session_passes_the_accessibility_check(
    imported, live_server, new_page, axe_check, snap
):
    base = live_server
    questions = starter_questions(imported, 2)
    make_user(imported)
    host = new_page()
    host.goto(base + "/auth/login")
    axe_check(host, "login")
    log_in(host, base)
    axe_check(host, "dashboard-empty")
    host.get_by_role("link", name="New session").click()
    host.locator("details.question-picker summary").click()
    axe_check(host, "new-session")
    host.go_back()
    # The teacher closes the question (not the first answer): the phone's
    # "answer recorded" screen is checked too.
    public_id = create_through_form(
        host, [content["prompt"]["en"] for _, content in questions], off=["auto_close"]
    )
    code = join_code(host)

    phone = new_page()
    phone.goto(base + "/play/")
    axe_check(phone, "join")
    join(phone, base, code, "Eve")
    axe_check(phone, "device-lobby")
    expect(host.locator(".player-list.lobby .nickname")).to_have_text(["Eve"], timeout=LIVE)
    axe_check(host, "projector-lobby")

    press(host, "Start the quiz")
    axe_check(host, "projector-question")
    content = item_content(imported, public_id, 0)
    values = device_values(phone)
    axe_check(phone, "device-question")
    answer_by_mouse(phone, values[0])
    axe_check(phone, "device-answered")
    press(host, "Close the question and show the answers")
    axe_check(host, "projector-closed")
    expect(phone.locator(".verdict")).to_be_visible(timeout=LIVE)
    expect(phone.locator("h1.prompt")).to_have_text(content["prompt"]["en"])
    axe_check(phone, "device-closed")
    host.locator("details.end-now > summary").click()  # ending asks first
    press(host, "End the session now")
    axe_check(host, "projector-final")
    expect(phone.locator(".leaderboard")).to_be_visible(timeout=LIVE)
    axe_check(phone, "device-final")
    host.get_by_role("link", name="See the full results").click()
    axe_check(host, "results")
    host.get_by_role("link", name="My sessions").click()
    axe_check(host, "dashboard")

    # A student-paced session's grid, with one answer in it.
    student_paced = create_through_form(
        host, [content["prompt"]["en"] for _, content in questions], pacing="student"
    )
    code = join_code(host)
    other = new_page()
    join(other, base, code, "Fay")
    press(host, "Start the quiz")
    answer_by_mouse(other, right_values(item_content(imported, student_paced, 0))[0])
    axe_check(other, "device-feedback")
    expect(host.locator("table.grid td.cell-right")).to_have_count(1, timeout=LIVE)
    axe_check(host, "projector-grid")
    snap(host, "grid")


def test_a_screen_reader_hears_the_new_question_when_it_changes(imported, live_server, new_page):
    teacher, public_id, code = starter_session(imported, 2)
    phone = new_page()
    join(phone, live_server, code, "Gus")
    announcer = phone.locator("#live-announcer")
    expect(announcer).to_have_text("")

    teacher.act(public_id, "start")
    first = item_content(imported, public_id, 0)
    expect(announcer).to_have_text(first["prompt"]["en"], timeout=LIVE)
    teacher.act(public_id, "close")
    expect(phone.locator(".verdict")).to_be_visible(timeout=LIVE)
    teacher.act(public_id, "next")
    second = item_content(imported, public_id, 1)
    expect(announcer).to_have_text(second["prompt"]["en"], timeout=LIVE)
    expect(announcer).to_have_attribute("aria-live", "polite")


def test_a_students_pages_fit_a_360_pixel_phone(imported, live_server, new_page, snap):
    teacher, public_id, code = starter_session(imported, 1)
    phone = new_page(locale="zh-CN", **PHONE)
    phone.goto(live_server + "/play/")
    fits_phone(phone, "join", snap)
    join(phone, live_server, code, "小明")
    teacher.act(public_id, "start")
    values = device_values(phone)
    fits_phone(phone, "question", snap)
    answer_by_mouse(phone, values[0])
    teacher.act(public_id, "close")
    expect(phone.locator(".verdict")).to_be_visible(timeout=LIVE)
    fits_phone(phone, "closed", snap)


def test_a_student_can_join_and_answer_with_javascript_off(imported, browser, live_server):
    teacher, public_id, code = starter_session(imported, 1)
    content = item_content(imported, public_id, 0)
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        phone = context.new_page()
        join(phone, live_server, code, "Hal")
        expect(phone.get_by_role("heading", name="You are in!")).to_be_visible()
        teacher.act(public_id, "start")
        # The page refreshes itself (<noscript> meta refresh every 5 s).
        expect(phone.locator("h1.prompt")).to_have_text(content["prompt"]["en"], timeout=LIVE)
        right = right_values(content)[0]
        answer_by_mouse(phone, right)
        expect(phone.get_by_role("heading", name="Answer recorded")).to_be_visible()
        teacher.act(public_id, "close")
        phone.reload()
        expect(phone.locator(".verdict.verdict-right")).to_be_visible()
        assert recorded_answers(imported, public_id) == [("Hal", 0, 1, right)]
    finally:
        context.close()


def test_a_time_limit_closes_the_question_on_the_phone_without_a_reload(
    imported, live_server, new_page
):
    teacher = Teacher(imported)
    [(version_id, _)] = starter_questions(imported, 1)
    public_id = teacher.create(questions=[version_id], time_limit="10")
    phone = new_page()
    join(phone, live_server, teacher.code(public_id), "Hal")
    teacher.act(public_id, "start")
    expect(phone.locator("form.question-form")).to_be_visible(timeout=LIVE)
    # The countdown ring counts the seconds left.
    seconds = phone.locator("[data-closes-at] .ring-seconds")
    expect(seconds).to_have_text(re.compile(r"^(10|[1-9])$"))
    first = int(seconds.inner_text())
    expect(seconds).not_to_have_text(str(first), timeout=3_000)
    mark_stay(phone)
    # Nobody presses "close": the limit (10 s) does, and the phone follows.
    expect(phone.locator(".verdict")).to_be_visible(timeout=10_000 + LIVE)
    expect(phone.locator(".verdict")).to_contain_text("You did not answer this question.")
    assert_stayed(phone)
    assert teacher.session(public_id).phase == "closed"


def test_a_student_removed_by_the_teacher_is_told_so_without_a_reload(
    imported, live_server, new_page
):
    make_user(imported, "ms-li")
    host = new_page()
    log_in(host, live_server)
    public_id = create_through_form(host, [starter_questions(imported, 1)[0][1]["prompt"]["en"]])
    code = join_code(host)
    kept, removed = new_page(), new_page()
    join(kept, live_server, code, "Ivy")
    join(removed, live_server, code, "Jon")
    expect(host.locator(".player-list.lobby .nickname")).to_have_text(["Ivy", "Jon"], timeout=LIVE)
    mark_stay(removed)
    host.get_by_role("button", name="Remove Jon", exact=True).click()
    expect(host.locator(".player-list.lobby .nickname")).to_have_text(["Ivy"])
    expect(removed.get_by_role("heading", name="You are no longer in this session")).to_be_visible(
        timeout=LIVE
    )
    assert_stayed(removed)
    expect(kept.get_by_role("heading", name="You are in!")).to_be_visible()
    assert player_names(imported, public_id) == ["Ivy", "Jon"]  # the record keeps Jon


def test_a_phone_learns_of_the_teachers_click_through_its_held_poll(
    imported, live_server, new_page
):
    """A student's screen asks for its live part once and the server holds
    the request (``?part=live&wait=1``): no poll a second while nothing
    happens, and the held request brings the new part itself."""
    teacher, public_id, code = starter_session(imported, 1)
    phone = new_page()
    join(phone, live_server, code, "Ida")
    asked: list[str] = []
    phone.on(
        "request", lambda request: asked.append(request.url) if "part=" in request.url else None
    )
    phone.wait_for_timeout(2500)  # a phone polling every second would have asked twice
    assert len(asked) <= 1 and all(url.endswith("?part=live&wait=1") for url in asked), asked
    mark_stay(phone)
    with phone.expect_response(
        lambda response: response.url.endswith("?part=live&wait=1") and response.status == 200,
        timeout=LIVE,
    ):
        teacher.act(public_id, "start")
    expect(phone.locator("form.question-form")).to_be_visible(timeout=LIVE)
    assert_stayed(phone)
    assert not any("/state" in url for url in asked)


@pytest.mark.both_databases
def test_a_phones_answer_is_sent_in_place_once_and_kept_when_the_network_drops(
    imported, live_server, browser
):
    """The answer form goes through live.js: one request, no reload; a
    double click sends it once; offline, the student is told and the
    choice stays, and sending again when back online records it."""
    teacher, public_id, code = starter_session(imported, 1)
    context = browser.new_context(locale="en-US", viewport=PHONE)
    try:
        phone = context.new_page()
        join(phone, live_server, code, "Joy")
        teacher.act(public_id, "start")
        values = device_values(phone)
        mark_stay(phone)
        context.set_offline(True)
        tile(phone, values[0]).click()
        # The undo bar runs out, the send fails: the student is told, the choice kept.
        expect(phone.locator(".flash-error")).to_have_text(
            "Your answer was not sent: check the connection and tap your answer again.",
            timeout=UNDO + LIVE,
        )
        expect(tile(phone, values[0])).to_have_attribute("aria-pressed", "true")
        assert recorded_answers(imported, public_id) == []
        context.set_offline(False)
        posts: list[str] = []
        phone.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        tile(phone, values[0]).dblclick()
        expect(phone.get_by_role("heading", name="Answer recorded")).to_be_visible(
            timeout=UNDO + LIVE
        )
        expect(phone.locator(".flash-status")).to_have_text("Your answer is recorded.")
        assert_stayed(phone)
        assert len(posts) == 1 and posts[0].endswith("/answer?part=live"), posts
        assert recorded_answers(imported, public_id) == [("Joy", 0, 1, values[0])]
        teacher.act(public_id, "close")
        expect(phone.locator(".verdict")).to_be_visible(timeout=LIVE)
        expect(phone.locator(".flash")).to_have_count(0)  # the notice went with its screen
        assert_stayed(phone)
    finally:
        context.close()


def test_a_phone_whose_form_expired_gets_the_question_back_in_place_and_sends_again(
    imported, live_server, new_page
):
    """An answer refused by the CSRF check comes back (a 400 live part) as the
    same question with the choice kept and the reason shown, replacing the
    form it came from; sending it again records it."""
    teacher, public_id, code = starter_session(imported, 1)
    phone = new_page(width=PHONE["width"], height=PHONE["height"])
    join(phone, live_server, code, "Kim")
    teacher.act(public_id, "start")
    values = device_values(phone)
    mark_stay(phone)
    phone.locator('form.question-form input[name="csrf_token"]').evaluate(
        "input => input.value = 'expired'"
    )
    tile(phone, values[1]).click()
    # The refused tap comes back as the question with the choice marked (and
    # a submit button: the tile has done its one tap).
    expect(phone.locator(".flash-error")).to_contain_text(
        "security check expired", timeout=UNDO + LIVE
    )
    answer = phone.locator(f'input[name="answer"][value="{values[1]}"]')
    expect(answer).to_be_checked()
    expect(phone.locator('form.question-form input[name="csrf_token"]')).not_to_have_value(
        "expired"
    )
    assert recorded_answers(imported, public_id) == []
    phone.locator("form.question-form button[type=submit]").click()
    expect(phone.get_by_role("heading", name="Answer recorded")).to_be_visible(timeout=LIVE)
    assert_stayed(phone)
    assert recorded_answers(imported, public_id) == [("Kim", 0, 1, values[1])]
