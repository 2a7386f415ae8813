"""Classes and the learning reports in a real Chromium.

A class keeps its students from one lesson to the next: a student joins once
with the class link and a nickname, gets a re-entry code, and is the same
member on any other browser where the code is typed. Each browser here is a
separate context (cookies of its own), as two devices would be. Live
updates are awaited with ``expect``, never a sleep.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.domain.nicknames import DenyList
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem, ClassMember, ClassSession, Player, PlayerAnswer
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.attempts import start_attempt, submit_answer
from tests.answers import right_values, wrong_values
from tests.browser.test_classroom_flow import (
    LIVE,
    PHONE,
    answer_by_mouse,
    item_content,
    log_in,
    press,
    starter_questions,
)
from tests.web.classroom_client import Teacher, make_user
from tests.web.study_client import form_values

DESK = {"width": 1280, "height": 800}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
CLASS_URL = re.compile(r".*/classes/([0-9a-f]{32})$")
HOST_URL = re.compile(r".*/classroom/([0-9a-f]{32})$")
STUDY_URL = re.compile(r".*/study/([0-9a-f]{32})/(\d+)$")
CODE = re.compile(r"[A-Z0-9]{3}-[A-Z0-9]{3}")
BOM = b"\xef\xbb\xbf"
#: Items in each form of the before/after check (questions/check-form-a.yaml, -b.yaml).
CHECK_ITEMS = 18


# --- data --------------------------------------------------------------------


def members_of(app) -> list[str]:
    """Every class member's nickname, in joining order."""
    with app.app_context():
        return list(db.session.scalars(select(ClassMember.nickname).order_by(ClassMember.id)))


def session_players(app, public_id: str) -> list[tuple[str, int]]:
    """The session's players: (nickname, number of answers stored)."""
    with app.app_context():
        players = db.session.scalars(
            select(Player)
            .join(ClassSession)
            .where(ClassSession.public_id == public_id)
            .order_by(Player.id)
        ).all()
        return [
            (
                player.nickname,
                len(
                    db.session.scalars(
                        select(PlayerAnswer.id).where(PlayerAnswer.player_id == player.id)
                    ).all()
                ),
            )
            for player in players
        ]


def attempt_contents(app, public_id: str) -> list[dict]:
    """The content of every item of study attempt ``public_id``, in order."""
    with app.app_context():
        items = db.session.scalars(
            select(AttemptItem)
            .join(Attempt)
            .where(Attempt.public_id == public_id)
            .order_by(AttemptItem.position)
        )
        return [item.question_version.content for item in items]


def finished_session_of_four(app, teacher_name: str) -> str:
    """A finished student-paced starter session: four players, three answers each."""
    teacher = Teacher(app, teacher_name, create=False)
    public_id = teacher.create(pacing="student")
    marks = {"Ann": [1, 1, 1], "Bo": [1, 1, 0], "Cy": [1, 0, 0], "Di": [0, 0, 1]}
    with app.app_context():
        session = db.session.scalar(select(ClassSession).where(ClassSession.public_id == public_id))
        players = {name: play.join(session, name, DenyList.of([])) for name in marks}
        sessions.start(session, session.revision)
        for name, rights in marks.items():
            for position, right in enumerate(rights):
                content = play.item_at(session, position).question_version.content
                values = right_values(content) if right else wrong_values(content)
                play.submit(session, players[name], position, 1, values, 1 + position)
        sessions.finish(session, session.revision)
    return public_id


def self_study_of_the_starter_bank(app, learners: int = 4) -> None:
    """``learners`` anonymous self-study attempts of the whole starter bank, of mixed marks."""
    with app.app_context():
        for index in range(learners):
            attempt = start_attempt(f"learner-{index}", ["starter"], rng=random.Random(index))
            for position, item in enumerate(attempt.items):
                content = item.question_version.content
                right = (position + index) % (index + 2) != 0
                values = right_values(content) if right else wrong_values(content)
                submit_answer(attempt, position, values, 1 + (position % 3))


# --- pages -------------------------------------------------------------------


def teacher_page(app, new_page, base: str):
    """A teacher ("ms-li") logged in through the form, on a desk."""
    make_user(app)
    page = new_page(**DESK)
    log_in(page, base)
    return page


def same_login_in(page, new_page, language: str):
    """Another browser context speaking ``language``, with ``page``'s log-in cookies."""
    other = new_page(locale=LOCALES[language], **DESK)
    other.context.add_cookies(page.context.cookies())
    return other


def create_class(page, name: str) -> tuple[str, str]:
    """Create a class through the form on "Classes": (its public id, its class link)."""
    page.get_by_role("navigation").get_by_role("link", name="Classes").click()
    page.get_by_label("Name of the class").fill(name)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Create the class").click()
    expect(page).to_have_url(CLASS_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    link = page.locator(".join-url").inner_text().strip()
    return CLASS_URL.match(page.url).group(1), link


def join_class(page, link: str, nickname: str) -> str:
    """Open the class link, join with ``nickname``; return the re-entry code shown."""
    page.goto(link)
    page.locator("#nickname").fill(nickname)
    with page.expect_navigation(wait_until="load"):
        page.locator("form:has(#nickname) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/c/[^/]+/code\?new=1"))
    code = page.locator("p.join-code").inner_text().strip()
    assert CODE.fullmatch(code), code
    return code


def come_back(page, link: str, typed: str) -> None:
    """Open the class link on another browser and type the re-entry code."""
    page.goto(link)
    page.locator("#reentry_code").fill(typed)
    with page.expect_navigation(wait_until="load"):
        page.locator("form:has(#reentry_code) button[type=submit]").click()


def says_member(page, nickname: str) -> None:
    """The class home names its member (in any interface language)."""
    expect(page.locator("main")).to_contain_text(nickname)
    expect(page.locator('form[action$="/leave"]')).to_have_count(1)  # a member's home


def take_check(page, app, right) -> str:
    """Answer every item of the check attempt open on ``page``; ``right(number)``
    says which to answer right. Returns the attempt's public id."""
    expect(page).to_have_url(STUDY_URL)
    public_id = STUDY_URL.match(page.url).group(1)
    contents = attempt_contents(app, public_id)
    assert len(contents) == CHECK_ITEMS and {c["type"] for c in contents} == {"claim"}
    for number, content in enumerate(contents, start=1):
        assert page.url.endswith(f"/{public_id}/{number}"), page.url
        value = (right_values if right(number) else wrong_values)(content)[0]
        [value] = form_values(app, public_id, number, content, [value])
        page.locator(f'input[name="answer"][value="{value}"]').check()
        page.locator("#confidence-2").check()
        with page.expect_navigation(wait_until="load"):
            page.locator("form.question-form button.primary").click()  # save and go on
    # A check is a test: checked, then submitted as a whole.
    expect(page).to_have_url(re.compile(rf"/study/{public_id}/check$"))
    page.locator("form.submit-test button").click()
    expect(page).to_have_url(re.compile(rf"/study/{public_id}/results$"))
    return public_id


def start_from_home(page, link: str, phase: str) -> None:
    """The member opens the class home and starts the check's ``phase`` ("Check-in"...)."""
    page.goto(link)
    # The title is in a visually hidden span; Chromium names the button "Start : Check-in".
    button = page.get_by_role("button", name=re.compile(rf"^Start\s*: {phase}$"))
    with page.expect_navigation(wait_until="load"):
        button.click()


def download_rows(page, link) -> list[list[str]]:
    """Click a CSV link; the rows of the file it downloads (UTF-8 with a BOM)."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    return csv_rows(Path(download.path()).read_bytes())


def csv_rows(raw: bytes) -> list[list[str]]:
    """The rows of a CSV file of the app (UTF-8 with a BOM)."""
    assert raw.startswith(BOM)
    return list(csv.reader(io.StringIO(raw[len(BOM) :].decode("utf-8"))))


def csv_links_of(page) -> list[tuple[str, str]]:
    """The page's download links (all CSV) whose address is not a CSV file's: (text, href)."""
    found = page.locator("main a[download]").evaluate_all(
        "links => links.map(a => [a.textContent.trim(), a.href])"
    )
    return [(text, href) for text, href in found if not re.search(r"\.csv(\?answers=all)?$", href)]


def check_charts(page) -> list[str]:
    """Every drawn chart is an SVG named by its own <title> (role img, or group
    when it holds links); returns the ids of the figures drawn."""
    charts = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart')].map(figure => {
            const svg = figure.querySelector('svg');
            if (!svg) return {id: figure.id, svg: false};
            const title = svg.querySelector(':scope > title');
            const named = (svg.getAttribute('aria-labelledby') || '').split(' ')
                .filter(Boolean).every(id => document.getElementById(id));
            return {id: figure.id, svg: true, role: svg.getAttribute('role'),
                    title: title ? title.textContent.trim() : '',
                    labelledByTitle: !!title && (svg.getAttribute('aria-labelledby') || '')
                        .split(' ').includes(title.id),
                    named, links: svg.querySelectorAll('a').length};
        })"""
    )
    drawn = [chart for chart in charts if chart["svg"]]
    for chart in drawn:
        assert chart["role"] == ("group" if chart["links"] else "img"), chart
        assert chart["title"] and chart["labelledByTitle"] and chart["named"], chart
    return [chart["id"] for chart in drawn]


# --- tests -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_student_joins_on_a_phone_and_is_the_same_member_on_another_browser_with_the_code(
    imported, live_server, new_page, axe_check, language
):
    teacher = teacher_page(imported, new_page, live_server)
    class_id, link = create_class(teacher, "Year 9 B")
    assert link == f"{live_server}/c/{link.rsplit('/', 1)[1]}"
    nickname = "小明" if language == "zh" else "Ann"

    # Browser 1, a phone: the class link, a nickname, the re-entry code.
    phone = new_page(locale=LOCALES[language], **PHONE)
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("lang", "zh-Hans" if language == "zh" else "en")
    axe_check(phone, f"join-{language}")
    code = join_class(phone, link, nickname)
    expect(phone.locator("h1")).to_contain_text(nickname)
    axe_check(phone, f"code-{language}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with phone.expect_navigation(wait_until="load"):
        phone.locator("p.actions a.button").click()  # "Continue", to the class home
    says_member(phone, nickname)
    axe_check(phone, f"home-{language}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Browser 2, another computer: the code in lower case, without the dash.
    desk = new_page(locale=LOCALES[language], **DESK)
    desk.goto(link)
    expect(desk.locator("#reentry_code")).to_be_visible()
    come_back(desk, link, code.replace("-", "").lower())
    expect(desk).to_have_url(link)
    says_member(desk, nickname)
    expect(desk.locator(".form-error")).to_have_count(0)
    # It shows the same code again, as the phone got it.
    desk.goto(f"{link}/code")
    expect(desk.locator("p.join-code")).to_have_text(code)

    # One member, on the teacher's class page too.
    assert members_of(imported) == [nickname]
    teacher.goto(f"{live_server}/classes/{class_id}")
    members = teacher.locator("#members ~ .table-scroll table tbody tr")
    expect(members).to_have_count(1)
    expect(members.locator(".nickname")).to_have_text(nickname)


def test_a_members_two_browsers_are_one_player_in_a_student_paced_class_session(
    imported, live_server, new_page, axe_check
):
    teacher = teacher_page(imported, new_page, live_server)
    _class_id, link = create_class(teacher, "Year 9 B")
    phone = new_page(locale=LOCALES["zh"], **PHONE)
    code = join_class(phone, link, "Ann")
    desk = new_page(**DESK)
    come_back(desk, link, code)
    says_member(desk, "Ann")

    # The teacher creates a student-paced session for the class, through the form.
    questions = starter_questions(imported, 2)
    teacher.get_by_role("navigation").get_by_role("link", name="My sessions").click()
    teacher.get_by_role("link", name="New session").click()
    teacher.get_by_label("Title", exact=True).fill("Lesson 1")
    teacher.get_by_label("For a class").select_option(label="Year 9 B")
    teacher.locator("details.question-picker summary").click()
    for _version, content in questions:
        teacher.get_by_label(content["prompt"]["en"], exact=True).check()
    teacher.get_by_role("radio", name=re.compile("^Student-paced")).check()
    with teacher.expect_navigation(wait_until="load"):
        teacher.get_by_role("button", name="Create the session").click()
    expect(teacher).to_have_url(HOST_URL)
    public_id = HOST_URL.match(teacher.url).group(1)
    expect(teacher.locator("main")).to_contain_text("Year 9 B")
    session_code = teacher.locator(".join-code").inner_text().strip()

    # Browser 1 joins from the class home: one button, no nickname to type.
    phone.goto(link)
    with phone.expect_navigation(wait_until="load"):
        phone.locator('form[action^="/play/"]', has_text="Lesson 1").locator("button").click()
    expect(phone.locator(".session-line .nickname")).to_contain_text("Ann")
    expect(teacher.locator(".player-list.lobby .nickname")).to_have_text(["Ann"], timeout=LIVE)
    press(teacher, "Start the quiz")

    first = item_content(imported, public_id, 0)
    expect(phone.locator("h1.prompt")).to_have_text(first["prompt"]["zh"], timeout=LIVE)
    axe_check(phone, "phone-question")
    answer_by_mouse(phone, right_values(first)[0])
    expect(phone.locator(".verdict")).to_be_visible()

    # Browser 2 comes with the session's code: "Join as Ann", and it is at question 2.
    desk.goto(f"{live_server}/play/{session_code}")
    expect(desk.locator("#nickname")).to_have_count(0)
    axe_check(desk, "join-as-member")
    with desk.expect_navigation(wait_until="load"):
        desk.get_by_role("button", name="Join as Ann").click()
    second = item_content(imported, public_id, 1)
    expect(desk.locator(".progress-line")).to_contain_text("Question 2 of 2")
    expect(desk.locator("h1.prompt")).to_have_text(second["prompt"]["en"])
    answer_by_mouse(desk, wrong_values(second)[0])

    # Browser 1 goes on: every question is answered, the second by browser 2.
    phone.locator("p.next a").click()
    expect(phone.locator("ol.review-links li")).to_have_count(2)
    expect(phone.locator("form.question-form")).to_have_count(0)
    assert session_players(imported, public_id) == [("Ann", 2)]

    # The teacher's grid: one row, Ann's, with both answers.
    row = teacher.locator("table.grid tbody tr")
    expect(row).to_have_count(1, timeout=LIVE)
    expect(row.locator("th")).to_contain_text("Ann")
    expect(row.locator("td").nth(0)).to_have_class("cell-right", timeout=LIVE)
    expect(row.locator("td").nth(1)).to_have_class("cell-wrong", timeout=LIVE)


def test_the_before_after_check_of_two_members_makes_the_class_report(
    imported, live_server, new_page, axe_check, snap
):
    teacher = teacher_page(imported, new_page, live_server)
    class_id, link = create_class(teacher, "Year 9 B")
    ann, bo = new_page(**PHONE), new_page(**DESK)
    join_class(ann, link, "Ann")
    join_class(bo, link, "Bo")

    # The check-in, counterbalanced: Ann gets form A, Bo form B.
    teacher.reload()
    teacher.get_by_role("checkbox", name=re.compile("^Counterbalance")).check()
    with teacher.expect_navigation(wait_until="load"):
        teacher.get_by_role("button", name="Open the check-in").click()
    start_from_home(ann, link, "Check-in")
    take_check(ann, imported, lambda number: number % 2 == 0)  # 9 of 18
    start_from_home(bo, link, "Check-in")
    take_check(bo, imported, lambda number: number % 3 == 0)  # 6 of 18

    # The check-out: each gets the other form.
    teacher.reload()
    expect(teacher.locator("#check ~ ul")).to_contain_text("form A: 1, form B: 1")
    with teacher.expect_navigation(wait_until="load"):
        teacher.get_by_role("button", name="Open the check-out").click()
    start_from_home(ann, link, "Check-out")
    take_check(ann, imported, lambda number: number not in (1, 2))  # 16 of 18
    start_from_home(bo, link, "Check-out")
    take_check(bo, imported, lambda number: number % 3 != 0)  # 12 of 18
    ann.goto(link)
    expect(
        ann.get_by_role("link", name=re.compile(r"^See my answers\s*: Check-out$"))
    ).to_be_visible()

    # The report: before and after, its chart, and the other charts.
    teacher.goto(f"{live_server}/classes/{class_id}")
    with teacher.expect_navigation(wait_until="load"):
        teacher.locator("main").get_by_role("link", name="Report").click()
    change = teacher.locator("section:has(#change-heading)")
    expect(teacher.locator("#change-heading")).to_have_text("Before and after")
    pairs = change.get_by_role("row", name=re.compile("^Students with both checks"))
    expect(pairs.locator("td")).to_have_text("2")
    expect(change.locator("g[data-part=slopes] line[data-direction=up]")).to_have_count(2)
    drawn = check_charts(teacher)
    assert {"change-chart", "distribution", "learning-curve", "items-map"} <= set(drawn), drawn
    snap(teacher, "report")
    axe_check(teacher, "report-en")

    # Each CSV link downloads a CSV; the change has one row per member.
    rows = download_rows(teacher, change.get_by_role("link", name="Before and after (CSV)"))
    header, *members = rows
    assert header[:8] == [
        "learner",
        "form_before",
        "score_before_percent",
        "d_prime_before",
        "form_after",
        "score_after_percent",
        "d_prime_after",
        "change_points",
    ]
    by_name = {row[0]: row for row in members}
    assert sorted(by_name) == ["Ann", "Bo"]
    assert (by_name["Ann"][1], by_name["Ann"][4]) == ("A", "B")
    assert (by_name["Bo"][1], by_name["Bo"][4]) == ("B", "A")
    assert all(float(row[7]) > 0 for row in members), members
    for name in ("Choices (CSV)", "Learners (CSV)"):
        rows = download_rows(teacher, teacher.get_by_role("link", name=name))
        assert len(rows) > 1, name
        if name == "Learners (CSV)":
            assert sorted(row[0] for row in rows[1:]) == ["Ann", "Bo"]
    report_url = teacher.url

    # The same report in Chinese.
    chinese = same_login_in(teacher, new_page, "zh")
    chinese.goto(teacher.url)
    expect(chinese.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(
        chinese.locator("section:has(#change-heading) table.figures tr").first.locator("td")
    ).to_have_text("2")
    check_charts(chinese)
    axe_check(chinese, "report-zh")

    # The item table's file holds a row per question of both forms.
    response = teacher.request.get(f"{report_url}/items.csv")
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert len(csv_rows(response.body())) == 1 + 2 * CHECK_ITEMS

    # Last, as it fails at the time of writing: the "Items (CSV)" link must be its address.
    teacher.goto(report_url)
    assert csv_links_of(teacher) == [], "a CSV link of the class report goes nowhere"
    rows = download_rows(teacher, teacher.get_by_role("link", name="Items (CSV)"))
    assert len(rows) == 1 + 2 * CHECK_ITEMS


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_session_and_bank_analyses_render_and_the_item_maps_links_take_the_keyboard(
    imported, live_server, new_page, axe_check, language
):
    desk = teacher_page(imported, new_page, live_server)
    public_id = finished_session_of_four(imported, "ms-li")
    self_study_of_the_starter_bank(imported)
    page = same_login_in(desk, new_page, language) if language != "en" else desk

    # A session's analysis: items, discernment, confidence, each learner.
    page.goto(f"{live_server}/classroom/{public_id}/analysis")
    expect(page.locator("#items-heading")).to_be_visible()
    expect(page.locator("#learning-learners ~ .table-scroll tbody tr")).to_have_count(4)
    drawn = check_charts(page)
    assert "items-map" in drawn, drawn
    axe_check(page, f"session-analysis-{language}")

    # A bank's analysis: its item map links each point to its question.
    page.goto(f"{live_server}/admin/banks/starter/analysis")
    expect(page.locator("#items-heading")).to_be_visible()
    drawn = check_charts(page)
    assert "items-map" in drawn, drawn
    axe_check(page, f"bank-analysis-{language}")
    points = page.locator("#items-map svg a")
    assert points.count() > 0
    expect(page.locator("#items-map svg")).to_have_attribute("role", "group")

    # From the last CSV button before the map, Tab reaches the first point.
    page.locator("section:has(#items-heading) .actions a").last.focus()
    page.keyboard.press("Tab")
    expect(points.first).to_be_focused()
    page.keyboard.press("Tab")
    expect(points.nth(1)).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused point shows no focus outline"
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/questions/\d+$"))

    # Last, as it fails at the time of writing: every CSV link of both pages is a CSV address.
    page.goto(f"{live_server}/classroom/{public_id}/analysis")
    assert csv_links_of(page) == [], "a CSV link of the session analysis goes nowhere"
    page.goto(f"{live_server}/admin/banks/starter/analysis")
    assert csv_links_of(page) == [], "a CSV link of the bank analysis goes nowhere"
