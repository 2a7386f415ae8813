"""static/live.js alone, in a real Chromium, against a classroom server faked
with ``page.route``: small pages carrying the elements of the live-page
contract, the script inlined from disk, and replies of our choosing (304s,
new parts, refused connections, requests left hanging).

Where time matters the page's clock is Playwright's (``page.clock``),
paused: a 30-second timeout or a 10-second backoff takes a moment. The
clock is moved in small steps, with a pause in real time after each, so
that replies (which arrive in real time) land between them.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

SCRIPT = Path(__file__).resolve().parents[2] / "quizapp" / "static" / "live.js"
ORIGIN = "http://live.test"
PAGE = "/s/1"
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
OFFLINE = "No connection. Trying again…"
ONLINE = "Connected again."


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def region(version, body, *, held=False, interval=1000, keep="", announce="") -> str:
    """The live region (``[data-live-state]``) at ``version``."""
    wait = ' data-live-wait="1"' if held else ""
    return (
        f'<div class="live" data-live-state="{PAGE}/state" data-live-version="{version}"'
        f' data-live-interval="{interval}"{wait} data-live-keep="{keep}"'
        f' data-live-announce="{announce}">{body}</div>'
    )


def ring(closes_at: datetime, duration_s: int) -> str:
    return (
        f'<div class="timer" data-closes-at="{iso(closes_at)}" data-duration-s="{duration_s}">'
        '<svg class="ring" viewBox="0 0 120 120" aria-hidden="true">'
        '<circle class="ring-track" r="54" cx="60" cy="60"/>'
        '<circle class="ring-progress" r="54" cx="60" cy="60" pathLength="100"/></svg>'
        '<span class="ring-seconds"></span></div>'
    )


def one_tap_form(*, confidence=False) -> str:
    """A one-tap answer form: tiles a, b, c, then an undo bar or a confidence step."""
    tiles = "".join(
        f'<button type="submit" name="answer" value="{value}" class="tile" id="tile-{value}">'
        f"{value.upper()}</button>"
        for value in "abc"
    )
    if confidence:
        after = (
            "<fieldset data-confidence-step hidden><legend>How sure are you?</legend>"
            + "".join(
                f'<button type="button" data-confidence="{n}">{word}</button>'
                for n, word in [(1, "Guess"), (2, "Fairly"), (3, "Sure")]
            )
            + "</fieldset>"
        )
    else:
        after = (
            "<div data-undo-bar hidden>Sending in <span data-undo-seconds></span> s "
            '<button type="button" data-undo>Undo</button></div>'
        )
    return (
        f'<form method="post" action="{PAGE}/answer" data-live-submit data-one-tap'
        ' data-undo-s="3" data-live-offline="Not sent.">'
        '<input type="hidden" name="csrf_token" value="token">'
        '<input type="hidden" name="position" value="0">'
        f'<h1>Which is real?</h1><div class="tiles">{tiles}</div>{after}</form>'
    )


class FakeServer:
    """The classroom server, as far as one page sees it, answered through ``page.route``.

    ``mode`` is "up" (answers), "down" (refuses the connection) or "hang"
    (never answers); the page itself is always served.
    """

    def __init__(self, live: str, *, lang: str = "en", chrome: str = "") -> None:
        self.lang, self.chrome = lang, chrome
        self.version, self.live = "1", live
        self.first_page = self.page()
        self.mode = "up"
        self.log: list[tuple[str, str]] = []  # (method, path?query) of each request
        self.posts: list[str | None] = []
        self.hung: list = []

    def publish(self, version: str, live: str) -> None:
        """The session moves on: polls from now on see ``live`` at ``version``."""
        self.version, self.live = version, live

    def page(self) -> str:
        return (
            f'<!doctype html><html lang="{self.lang}"><head><meta charset="utf-8">'
            "<title>Live</title></head><body>"
            '<div id="connection-banner" role="status" aria-live="assertive" hidden'
            f' data-offline="{OFFLINE}" data-online="{ONLINE}"></div>'
            f'{self.chrome}<main id="main">{self.live}'
            '<div id="live-announcer" role="status" aria-live="polite"></div></main>'
            f"<script>{SCRIPT.read_text(encoding='utf-8')}</script></body></html>"
        )

    def part(self) -> str:
        return f"<!doctype html><title>Live</title>{self.live}"

    def handle(self, route) -> None:
        request = route.request
        url = urlsplit(request.url)
        where = url.path + (f"?{url.query}" if url.query else "")
        self.log.append((request.method, where))
        if request.method == "GET" and where == PAGE:
            return route.fulfill(content_type="text/html", body=self.first_page)
        if self.mode == "down":
            return route.abort("connectionrefused")
        if self.mode == "hang":
            self.hung.append(route)  # left unanswered, as by a server that froze
            return None
        if request.method == "POST":
            self.posts.append(request.post_data)
            self.publish(
                str(int(self.version) + 1),
                region(int(self.version) + 1, "<h1>Answer recorded</h1>"),
            )
            return route.fulfill(content_type="text/html", body=self.part())
        same = request.headers.get("if-none-match") == f'"{self.version}"'
        if url.path == f"{PAGE}/state":
            if same:
                return route.fulfill(status=304)
            return route.fulfill(json={"version": self.version})
        if same and parse_qs(url.query).get("wait") == ["1"]:
            return route.fulfill(status=304)
        return route.fulfill(content_type="text/html", body=self.part())

    def asked(self, fragment: str) -> int:
        return sum(1 for method, where in self.log if method == "GET" and fragment in where)


@pytest.fixture
def open_live(browser):
    """Open a page served by a :class:`FakeServer`: ``open_live(server, clock=…, **context)``."""
    contexts = []

    def open_page(server: FakeServer, *, clock: bool = False, init_script: str = "", **options):
        context = browser.new_context(**{"locale": "en-US", **options})
        contexts.append(context)
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        if clock:
            # Paused at T0: time moves only when a test moves it.
            page.clock.install(time=T0 - timedelta(minutes=1))
            page.clock.pause_at(T0)
        page.route(f"{ORIGIN}/**", server.handle)
        page.goto(ORIGIN + PAGE)
        return page

    yield open_page
    for context in contexts:
        context.close()


def step(page, step_ms: int = 250) -> None:
    """Move the page's clock on by ``step_ms``, then give replies in flight a moment to land."""
    page.clock.run_for(step_ms)
    page.wait_for_timeout(15)


def advance(page, seconds: float, step_ms: int = 250) -> None:
    """Move the page's clock on by ``seconds``, a step at a time."""
    for _ in range(round(seconds * 1000 / step_ms)):
        step(page, step_ms)


def advance_until(page, condition: str, limit_s: float, step_ms: int = 250) -> None:
    """Move the clock on until ``condition`` (JavaScript) holds."""
    for _ in range(round(limit_s * 1000 / step_ms) + 1):
        if page.evaluate(condition):
            return
        step(page, step_ms)
    raise AssertionError(f"still not {condition} after {limit_s} s")


def eventually(page, check, seconds: float = 5) -> None:
    """Wait in real time (the page's clock stays where it is) until ``check()`` holds."""
    for _ in range(int(seconds * 50)):
        if check():
            return
        page.wait_for_timeout(20)
    assert check()


BANNER_SAYS = "document.getElementById('connection-banner').textContent"
BANNER_SHOWN = "!document.getElementById('connection-banner').hidden"
BACK_ONLINE = f"{BANNER_SHOWN} && {BANNER_SAYS} === {ONLINE!r}"


def form_fields(body: str | None) -> list[tuple[str, str]]:
    """The fields of a multipart/form-data body, in order."""
    return re.findall(r'name="([^"]+)"\r\n\r\n([^\r]*)\r\n', body or "")


# --- connection ----------------------------------------------------------------


@pytest.mark.parametrize("outage", ["down", "hang"])
def test_the_banner_shows_while_the_state_url_fails_and_goes_after_recovery(open_live, outage):
    server = FakeServer(region(1, "<h1>Lobby</h1>", announce="lobby"))
    page = open_live(server, clock=True)
    banner = page.locator("#connection-banner")
    advance(page, 1.5)
    eventually(page, lambda: server.asked("/state") >= 1)
    expect(banner).to_be_hidden()
    server.mode = outage
    server.publish("2", region(2, "<h1>Question 1</h1>", announce="open-0-1"))
    if outage == "hang":
        advance(page, 9)  # a request may take up to 10 s before it counts as lost
        expect(banner).to_be_hidden()
    advance_until(page, BANNER_SHOWN, 12)
    expect(banner).to_have_text(OFFLINE)
    expect(banner).to_have_attribute("aria-live", "assertive")
    expect(page.locator("h1")).to_have_text("Lobby")
    server.mode = "up"
    advance_until(page, BACK_ONLINE, 12)
    expect(banner).to_have_class(re.compile(r"\bonline\b"))  # the stylesheet's green
    expect(page.locator("h1")).to_have_text("Question 1")
    expect(page.locator("#live-announcer")).to_have_text("Question 1")
    advance(page, 2.5)
    expect(banner).to_be_visible()
    advance(page, 1)
    expect(banner).to_be_hidden()


def test_a_held_poll_that_hangs_is_aborted_after_30_seconds_and_sent_again(open_live):
    server = FakeServer(region(1, "<h1>Lobby</h1>", held=True))
    server.mode = "hang"
    page = open_live(server, clock=True)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    eventually(page, lambda: server.asked("wait=1") == 1)
    advance(page, 28.5)  # the server may hold a poll 20 s: no reason to give up yet
    assert failed == [] and server.asked("wait=1") == 1
    expect(page.locator("#connection-banner")).to_be_hidden()
    server.mode = "up"
    server.publish("2", region(2, "<h1>Question 1</h1>", held=True))
    advance_until(page, BANNER_SHOWN, 3)
    assert len(failed) == 1 and failed[0].endswith("?part=live&wait=1"), failed
    advance_until(page, BACK_ONLINE, 3)
    assert server.asked("wait=1") >= 2
    expect(page.locator("h1")).to_have_text("Question 1")


def test_polls_back_off_during_an_outage_instead_of_hammering(open_live):
    server = FakeServer(region(1, "<h1>Lobby</h1>"))
    server.mode = "down"
    page = open_live(server, clock=True)
    times: list[float] = []
    for quarter in range(160):  # 40 s, a quarter second at a time
        step(page)
        while len(times) < server.asked("/state"):
            times.append(quarter / 4)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Once a second would be 40 requests; 1, 2, 4, 8, 10, 10 s apart is 7
    # (a reply landing a step late may shift one by a quarter second).
    assert 5 <= len(times) <= 8, times
    assert gaps[0] <= 2 and max(gaps) <= 11 and gaps[-1] >= 8, gaps
    assert all(later >= earlier - 0.5 for earlier, later in itertools.pairwise(gaps)), gaps
    server.mode = "up"
    advance_until(page, BACK_ONLINE, 11)


# --- countdown ring -------------------------------------------------------------


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_ring_follows_the_time_left_and_a_poll_goes_out_at_zero(open_live, motion):
    ring_part = ring(T0 + timedelta(seconds=10), 20)
    server = FakeServer(region(1, ring_part, interval=60_000))
    page = open_live(server, clock=True, reduced_motion=motion)
    offset = "parseFloat(document.querySelector('.ring-progress').style.strokeDashoffset)"
    seconds = page.locator(".ring-seconds")
    expect(seconds).to_have_text("10")
    assert abs(page.evaluate(offset) - 50) <= 2  # 10 s left of 20: half the ring gone
    page.evaluate(
        """() => { window.changes = 0;
        new MutationObserver(() => window.changes++).observe(
            document.querySelector('.ring-progress'), {attributes: true}); }"""
    )
    advance(page, 4)
    expect(seconds).to_have_text("6")
    assert abs(page.evaluate(offset) - 70) <= 2
    changes = page.evaluate("window.changes")
    if motion == "reduce":
        assert changes <= 5, changes  # once a second
        assert page.evaluate("document.querySelector('.ring-progress').style.transition") == "none"
    else:
        assert changes >= 12, changes  # four times a second
    assert server.asked("/state") == 0
    advance(page, 5.75)
    expect(seconds).to_have_text("1")
    assert server.asked("/state") == 0
    advance(page, 0.25)
    expect(seconds).to_have_text("0")
    assert page.evaluate(offset) == 100
    # At zero, at once (the next poll was a minute away).
    eventually(page, lambda: server.asked("/state") == 1)


# --- counts ---------------------------------------------------------------------


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_count_that_grew_counts_up_unless_motion_is_reduced(open_live, motion):
    def votes(version, count):
        return region(version, f'<p><span id="votes" data-count="{count}">{count} votes</span></p>')

    server = FakeServer(votes(1, 3))
    page = open_live(server, reduced_motion=motion)
    page.evaluate(
        """() => { window.seen = [];
        new MutationObserver(() => {
            const votes = document.getElementById('votes');
            if (votes) window.seen.push(votes.textContent);
        }).observe(document.querySelector('[data-live-state]'),
                   {subtree: true, childList: true, characterData: true}); }"""
    )
    server.publish("2", votes(2, 9))
    expect(page.locator("#votes")).to_have_text("9 votes", timeout=5000)
    page.wait_for_timeout(600)  # the count-up takes 400 ms
    seen = page.evaluate("window.seen")
    between = [text for text in seen if text not in ("3 votes", "9 votes")]
    assert seen[-1] == "9 votes"
    if motion == "reduce":
        assert between == [], seen
    else:
        assert between and all(re.fullmatch(r"[4-8] votes", text) for text in between), seen


# --- one tap ----------------------------------------------------------------------


def test_a_tap_can_be_undone_and_is_sent_once_when_the_undo_bar_runs_out(open_live):
    server = FakeServer(region(1, one_tap_form(), interval=60_000, keep="q-0-1"))
    page = open_live(server, clock=True)
    bar, seconds = page.locator("[data-undo-bar]"), page.locator("[data-undo-seconds]")
    expect(bar).to_be_hidden()
    page.locator("#tile-b").click()
    expect(page.locator("#tile-b")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#tile-a")).to_have_attribute("aria-pressed", "false")
    expect(bar).to_be_visible()
    expect(seconds).to_have_text("3")
    advance(page, 1)
    expect(seconds).to_have_text("2")
    page.get_by_role("button", name="Undo").click()
    expect(bar).to_be_hidden()
    expect(page.locator("#tile-b")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#tile-b")).to_be_focused()
    advance(page, 5)
    assert server.posts == []
    page.locator("#tile-b").click()
    advance(page, 2.75)
    assert server.posts == []
    advance(page, 0.5)
    expect(page.locator("h1")).to_have_text("Answer recorded")
    assert len(server.posts) == 1
    fields = form_fields(server.posts[0])
    assert ("csrf_token", "token") in fields
    assert [value for name, value in fields if name == "answer"] == ["b"]
    assert server.log[-1] == ("POST", f"{PAGE}/answer?part=live")


def test_another_tap_or_key_during_the_undo_window_switches_and_restarts_it(open_live):
    server = FakeServer(region(1, one_tap_form(), interval=60_000, keep="q-0-1"))
    page = open_live(server, clock=True)
    page.keyboard.press("1")  # a key is a tap
    expect(page.locator("#tile-a")).to_have_attribute("aria-pressed", "true")
    advance(page, 2)
    page.locator("#tile-c").click()
    expect(page.locator("#tile-a")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#tile-c")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-undo-seconds]")).to_have_text("3")
    advance(page, 2.5)  # past the first tap's three seconds
    assert server.posts == []
    advance(page, 0.75)
    expect(page.locator("h1")).to_have_text("Answer recorded")
    assert len(server.posts) == 1
    assert [v for name, v in form_fields(server.posts[0]) if name == "answer"] == ["c"]


def test_with_a_confidence_step_the_answer_goes_with_the_confidence_tap(open_live):
    server = FakeServer(region(1, one_tap_form(confidence=True), keep="q-0-1"))
    page = open_live(server)
    step = page.locator("[data-confidence-step]")
    expect(step).to_be_hidden()
    page.locator("#tile-b").click()
    expect(step).to_be_visible()
    expect(page.get_by_role("button", name="Guess")).to_be_focused()
    page.locator("#tile-a").click()
    expect(page.locator("#tile-a")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(500)
    assert server.posts == []
    page.get_by_role("button", name="Sure").dblclick()
    expect(page.locator("h1")).to_have_text("Answer recorded")
    page.wait_for_timeout(300)
    assert len(server.posts) == 1  # the double tap sent it once
    fields = [(n, v) for n, v in form_fields(server.posts[0]) if n in ("answer", "confidence")]
    assert fields == [("answer", "a"), ("confidence", "3")]


def test_without_javascript_a_tile_posts_the_form_at_once(open_live):
    server = FakeServer(region(1, one_tap_form(), keep="q-0-1"))
    page = open_live(server, java_script_enabled=False)
    expect(page.locator("[data-undo-bar]")).to_be_hidden()
    page.locator("#tile-b").click()
    expect(page.locator("h1")).to_have_text("Answer recorded")
    assert len(server.posts) == 1
    assert parse_qs(server.posts[0])["answer"] == ["b"]
    assert server.log[-1] == ("POST", f"{PAGE}/answer")


# --- local times --------------------------------------------------------------------


LOCAL_TIMES = {
    # 02:30:05 and 17:30 UTC on 16 February are 10:30:05 that day and 01:30 the next in Shanghai.
    "en": ("10:30 AM", "10:30:05 AM", "Feb 17, 2024, 1:30 AM"),
    "zh-Hans": ("10:30", "10:30:05", "2024年2月17日 1:30"),
}


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_local_times_are_shown_in_the_readers_zone_and_the_pages_language(open_live, lang):
    def times(prefix):
        return (
            f'<time id="{prefix}-time" datetime="2024-02-16T02:30:05Z" data-local="time">02:30 UTC</time>'
            f'<time id="{prefix}-seconds" datetime="2024-02-16T02:30:05Z" data-local="time"'
            " data-seconds>02:30:05 UTC</time>"
            f'<time id="{prefix}-datetime" datetime="2024-02-16T17:30:00Z" data-local="datetime">'
            "16 Feb 2024 17:30 UTC</time>"
        )

    server = FakeServer(region(1, "<p>Lobby</p>"), lang=lang, chrome=f"<p>{times('page')}</p>")
    page = open_live(server, timezone_id="Asia/Shanghai")
    time, seconds, date_time = LOCAL_TIMES[lang]

    def shown(prefix):
        for suffix, text in [("time", time), ("seconds", seconds), ("datetime", date_time)]:
            expect(page.locator(f"#{prefix}-{suffix}")).to_have_text(
                re.compile("^" + re.escape(text).replace(r"\ ", r"\s") + "$")
            )

    shown("page")
    server.publish("2", region(2, f"<p>{times('live')}</p>"))
    expect(page.locator("#live-time")).to_be_attached(timeout=5000)
    shown("live")


# --- sounds and fullscreen ------------------------------------------------------------


AUDIO_STUB = """
window.audio = {contexts: 0, notes: 0};
delete window.webkitAudioContext;
window.AudioContext = function () {
    window.audio.contexts++;
    this.state = "running"; this.currentTime = 0; this.destination = {};
};
AudioContext.prototype.resume = () => Promise.resolve();
AudioContext.prototype.createOscillator = () => {
    window.audio.notes++;
    return {frequency: {}, connect() {}, start() {}, stop() {}};
};
AudioContext.prototype.createGain = () => ({
    gain: {setValueAtTime() {}, exponentialRampToValueAtTime() {}}, connect() {}});
"""


def test_sounds_are_off_until_the_toggle_and_then_mark_open_ticks_and_reveal(open_live):
    toggle_html = '<button type="button" data-sound-toggle aria-pressed="false">Sounds</button>'
    server = FakeServer(region(1, "<h1>Lobby</h1>", announce="lobby-0-1"), chrome=toggle_html)
    page = open_live(server, clock=True, init_script=AUDIO_STUB)
    toggle = page.get_by_role("button", name="Sounds")
    audio = "window.audio"
    stored = "localStorage.getItem('quizapp.sounds')"

    def question(version, number, now):
        closes = ring(now + timedelta(seconds=8), 8)
        body = f"<h1>Question {number}</h1>{closes}"
        return region(version, body, announce=f"open-{number}-1")

    def a_whole_question(version, number):
        now = datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, UTC)
        server.publish(str(version), question(version, number, now))
        advance_until(page, f"document.querySelector('h1').textContent === 'Question {number}'", 2)
        advance_until(page, "document.querySelector('.ring-seconds').textContent === '0'", 9)
        server.publish(
            str(version + 1), region(version + 1, "<h1>Answer</h1>", announce=f"closed-{number}-1")
        )
        advance_until(page, "document.querySelector('h1').textContent === 'Answer'", 2)

    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(stored) is None
    a_whole_question(2, 1)
    assert page.evaluate(audio) == {"contexts": 0, "notes": 0}  # off: no AudioContext at all
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(stored) == "on"
    assert page.evaluate(audio) == {"contexts": 1, "notes": 1}  # a tone says "sounds on"
    a_whole_question(4, 2)
    # One note for the question, one tick for each of the last 5 s, two for the reveal.
    assert page.evaluate(audio) == {"contexts": 1, "notes": 1 + 1 + 5 + 2}
    page.reload()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(stored) != "on"


def test_the_fullscreen_button_asks_for_fullscreen(open_live):
    stub = """window.asked = 0;
    Element.prototype.requestFullscreen = function () { window.asked++; return Promise.resolve(); };"""
    button = '<button type="button" data-fullscreen>Full screen</button>'
    server = FakeServer(region(1, "<h1>Lobby</h1>"), chrome=button)
    page = open_live(server, init_script=stub)
    page.get_by_role("button", name="Full screen").click()
    assert page.evaluate("window.asked") == 1


def test_the_script_stays_small():
    """A phone on a school's Wi-Fi loads it before the first question."""
    assert SCRIPT.stat().st_size < 20_000
