"""Live classroom 2.0 in a real Chromium: the presenter, the remote, the console.

The presenter (``/classroom/<id>/present``) is what the class sees on the
projector: it must fit the screen without scrolling, in large type, with no
site menu and no player controls. The teacher drives the lesson from it,
from the console (``/classroom/<id>``) or from a phone (``/remote``);
students answer on their phones. Each person is a browser context of their
own; live updates are awaited with ``expect`` and generous timeouts.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.classroom.addresses import lan_addresses
from quizapp.extensions import db
from quizapp.models import ClassSession, Player, PlayerAnswer
from quizapp.services.content import published_by_bank
from tests.answers import right_values, wrong_values
from tests.browser.test_classroom_flow import (
    LIVE,
    PHONE,
    assert_stayed,
    four_choice_question,
    item_content,
    join,
    log_in,
    mark_stay,
    sent,
    starter_questions,
    tap,
)
from tests.web.classroom_client import PASSWORD, Teacher

#: Projector sizes: an old 4:3 beamer, a small 16:9 one, full HD.
VIEWPORTS = [(1024, 768), (1280, 720), (1920, 1080)]
#: Words that would tell a student, before the reveal, whether they were right.
VERDICT_WORDS = re.compile(r"\b(right|wrong|correct|incorrect)\b|✓|✗", re.IGNORECASE)


# --- helpers -----------------------------------------------------------------


def first_of_type(app, kind: str) -> int:
    """The version id of the first published question of type ``kind``."""
    with app.app_context():
        for versions in published_by_bank().values():
            for version in versions:
                if version.content["type"] == kind:
                    return version.id
    raise AssertionError(f"no {kind} question is published")


def teacher_and_session(app, questions: list[int], **options) -> tuple[Teacher, str, str]:
    """A teacher (test client) and a new teacher-paced session of ``questions``
    with ``options`` ticked ("y"); students type their nicknames."""
    teacher = Teacher(app)
    public_id = teacher.create(questions=questions, **options)
    return teacher, public_id, teacher.code(public_id)


def teacher_page(new_page, base: str, width: int = 1280, height: int = 720):
    """A browser context logged in as the teacher of :func:`teacher_and_session`."""
    page = new_page(width=width, height=height)
    log_in(page, base)
    return page


def phone_context(browser, base: str, **kwargs):
    """A phone-sized browser context (closed by the caller)."""
    return browser.new_context(locale="en-US", viewport=PHONE, base_url=base, **kwargs)


def click_step(page, button_id: str) -> None:
    """A teacher's step on a screen (a form post that comes back to the same screen)."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f"#{button_id}").click()


def offscreen(page, selector: str) -> list[str]:
    """The elements of ``selector`` not wholly inside the viewport, or covered
    at their centre by something else (none must be: the class sees them
    without anyone scrolling). Fails when nothing matches."""
    found = page.evaluate(
        """(selector) => {
          const all = [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length);
          return {count: all.length, bad: all.filter(e => {
            const r = e.getBoundingClientRect();
            if (r.width < 1 || r.height < 1) return true;
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
              return true;
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return !(hit && (hit === e || e.contains(hit)));
          }).map(e => `${e.outerHTML.slice(0, 90)} at ${JSON.stringify(e.getBoundingClientRect())}`)};
        }""",
        selector,
    )
    assert found["count"], f"nothing matches {selector}"
    return found["bad"]


def first_line_on_screen(page, selector: str) -> bool:
    """Whether the first line of ``selector`` is on screen and not covered (the
    rest may scroll inside its box)."""
    return page.locator(selector).evaluate(
        """(e) => {
          const r = e.getBoundingClientRect(), x = r.left + 4, y = r.top + 4;
          if (r.height < 1 || y > innerHeight || x > innerWidth) return false;
          const hit = document.elementFromPoint(x, y);
          return !!hit && (hit === e || e.contains(hit));
        }"""
    )


def no_scrolling(page) -> tuple[int, int]:
    """(the document's height, the viewport's height)."""
    return page.evaluate("[document.scrollingElement.scrollHeight, window.innerHeight]")


def qr_loaded(page) -> None:
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )


def live_text(page) -> str:
    """The text of a student's live region."""
    return page.locator("[data-live-state]").inner_text()


# --- the presenter's layout --------------------------------------------------


def test_the_presenter_fits_4_3_and_16_9_projectors_without_scrolling(
    imported, live_server, new_page, snap
):
    """Lobby, open question, discussion and reveal at 1024×768, 1280×720 and
    1920×1080: what the class must see is on screen, large, no scrolling."""
    version_id = four_choice_question(imported)
    teacher, public_id, code = teacher_and_session(imported, [version_id], discussion="y")
    page = teacher_page(new_page, live_server)
    page.goto(f"{live_server}/classroom/{public_id}/present")
    join(new_page(), live_server, code, "Ann")
    expect(page.locator(".name-chips li")).to_have_text(["Ann"], timeout=LIVE)

    def each_size(step: str, check) -> None:
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("window.scrollTo(0, 0)")
            check(f"{step} at {width}×{height}", height)
            snap(page, f"{step}-{width}x{height}")

    def lobby(where: str, height: int) -> None:
        qr_loaded(page)
        assert offscreen(page, "img.qr, .stage .join-code, #present-start") == [], where
        scroll_height, inner_height = no_scrolling(page)
        assert scroll_height <= inner_height + 1, f"{where}: the page scrolls ({scroll_height}px)"
        qr_height = page.locator("img.qr").bounding_box()["height"]
        assert qr_height >= 0.4 * height, f"{where}: the QR code is {qr_height}px high"

    each_size("lobby", lobby)

    click_step(page, "present-start")
    content = item_content(imported, public_id, 0)
    expect(page.locator(".stage-prompt")).to_have_text(content["prompt"]["en"])
    expect(page.locator(".stage-choices .tile")).to_have_count(4)

    def question(where: str, height: int) -> None:
        size = page.locator(".stage-prompt").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert size >= 0.04 * height, f"{where}: the question is in {size}px type"
        assert offscreen(page, ".stage-choices .tile") == [], where
        assert offscreen(page, ".control-bar button, .control-bar a") == [], where

    each_size("open", question)

    def controls(where: str, height: int) -> None:
        assert offscreen(page, ".control-bar button, .control-bar a") == [], where

    click_step(page, "present-close")  # the first vote stops: discussion
    expect(page.locator(".stage-callout")).to_be_visible()
    expect(page.locator("#present-again")).to_be_visible()
    each_size("voted", controls)
    click_step(page, "present-reveal")
    expect(page.locator(".tag-correct")).to_have_count(1)
    expect(page.locator(".stage-why .explanation")).to_be_visible()
    each_size("closed", controls)
    assert teacher.session(public_id).phase == "closed"


def test_every_bar_of_the_votes_and_the_explanation_fit_the_projector(
    imported, live_server, new_page, snap
):
    """The discussion and the reveal of a four-choice question: every choice's
    bar is on screen, none under the control bar, and the reveal's
    explanation starts on screen (it may scroll inside its own box)."""
    version_id = four_choice_question(imported)
    teacher, public_id, _ = teacher_and_session(imported, [version_id], discussion="y")
    page = teacher_page(new_page, live_server)
    page.goto(f"{live_server}/classroom/{public_id}/present")
    teacher.act(public_id, "start")
    teacher.act(public_id, "close")
    problems = []
    for phase in ("voted", "closed"):
        if phase == "closed":
            teacher.act(public_id, "reveal")
        marker = ".stage-callout" if phase == "voted" else ".tag-correct"
        expect(page.locator(marker)).to_have_count(1, timeout=LIVE)
        expect(page.locator(".bars li")).to_have_count(4)
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            hidden = offscreen(page, ".bars li")
            if phase == "closed" and not first_line_on_screen(page, ".stage-why .explanation"):
                hidden.append("the explanation's first line")
            if hidden:
                problems.append(f"{phase} at {width}×{height}: {hidden}")
                snap(page, f"{phase}-{width}x{height}")
    assert problems == [], "\n".join(p[:40] + " … " + p[-60:] for p in problems)


def test_the_presenter_has_no_site_menu_and_no_player_controls(imported, live_server, new_page):
    _, public_id, code = teacher_and_session(imported, [four_choice_question(imported)])
    page = teacher_page(new_page, live_server)
    page.goto(f"{live_server}/classroom/{public_id}/present")
    join(new_page(), live_server, code, "Ann")
    expect(page.locator(".name-chips li")).to_have_text(["Ann"], timeout=LIVE)
    for step in ("lobby", "open"):
        if step == "open":
            click_step(page, "present-start")
            expect(page.locator(".stage-prompt")).to_be_visible()
        expect(page.locator(".site-header")).to_have_count(0)
        expect(page.get_by_text("Log out")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile(r"^Remove"))).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile(r"End the session"))).to_have_count(0)
        expect(page.locator("form[action*='/players/']")).to_have_count(0)
    # The console, by contrast, has them.
    page.goto(f"{live_server}/classroom/{public_id}")
    page.locator("details#players > summary").click()
    expect(page.get_by_role("button", name="Remove Ann", exact=True)).to_be_visible()
    page.locator("details.end-now > summary").click()  # ending asks first
    expect(page.get_by_role("button", name="End the session now")).to_be_visible()


def test_a_step_on_the_console_comes_back_to_the_steps_with_the_keyboard_there(
    imported, live_server, new_page
):
    _, public_id, _code = teacher_and_session(imported, [four_choice_question(imported)])
    page = teacher_page(new_page, live_server, width=360, height=740)
    page.goto(f"{live_server}/classroom/{public_id}")
    click_step(page, "control-start")
    expect(page).to_have_url(re.compile(r"#steps$"))
    # The question is above the steps: the page opens at them, not at its top,
    # and the next Tab reaches the next step.
    close = page.locator("#control-close")
    expect(close).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
    assert page.evaluate("document.activeElement.id") == "steps"
    page.keyboard.press("Tab")
    expect(close).to_be_focused()


# --- a whole lesson ----------------------------------------------------------


def test_a_lesson_with_discussion_runs_from_presenter_and_remote_to_a_podium_with_ties(
    imported, live_server, new_page, browser, axe_check, snap
):
    """Peer instruction: vote, discuss without the answer, vote again, reveal;
    the scoreboard between questions; the podium with a shared place. Every
    screen passes axe on the way."""
    base = live_server
    (first_id, first), (second_id, second) = starter_questions(imported, 2)
    teacher, public_id, code = teacher_and_session(
        imported, [first_id, second_id], discussion="y", scoreboard="y"
    )
    console = teacher_page(new_page, base)
    console.goto(f"{base}/classroom/{public_id}")
    presenter = console.context.new_page()
    presenter.goto(f"{base}/classroom/{public_id}/present")
    contexts = []
    try:
        remote_context = phone_context(browser, base)
        contexts.append(remote_context)
        remote = remote_context.new_page()
        log_in(remote, base)
        remote.goto(f"/classroom/{public_id}/remote")

        names = ["Ann", "Bo", "Cy"]
        phones = {}
        for name in names:
            context = phone_context(browser, base)
            contexts.append(context)
            phones[name] = context.new_page()
            join(phones[name], base, code, name)
        expect(presenter.locator(".name-chips li")).to_have_text(names, timeout=LIVE)
        expect(presenter.locator("#joined-count")).to_have_text("3")
        axe_check(presenter, "presenter-lobby")

        # The remote starts the quiz; the presenter and the phones follow.
        click_step(remote, "remote-start")
        expect(remote.locator(".remote-status")).to_contain_text("taking answers")
        expect(presenter.locator(".stage-prompt")).to_have_text(first["prompt"]["en"], timeout=LIVE)
        for phone in phones.values():
            expect(phone.locator('button.tile[name="answer"]')).to_have_count(
                len(first.get("choices", ())) or 2, timeout=LIVE
            )
        axe_check(presenter, "presenter-open")
        axe_check(phones["Ann"], "phone-tiles")
        axe_check(remote, "remote-open")

        # The first vote: Ann and Bo right, Cy wrong. Ann's undo bar is checked
        # too (held open for axe, then undone, then tapped again).
        right, wrong = right_values(first)[0], wrong_values(first)[0]
        ann = phones["Ann"]
        ann.locator("form[data-one-tap]").evaluate("form => form.dataset.undoS = '60'")
        tap(ann, right)
        axe_check(ann, "phone-undo-bar")
        ann.locator("[data-undo]").click()
        expect(ann.locator("[data-undo-bar]")).to_be_hidden()
        ann.locator("form[data-one-tap]").evaluate("form => form.dataset.undoS = '3'")
        picks = {"Ann": right, "Bo": right, "Cy": wrong}
        for name, value in picks.items():
            tap(phones[name], value)
        for phone in phones.values():
            sent(phone)
        expect(presenter.locator("#answer-count")).to_have_text("3", timeout=LIVE)

        # Stop: the votes without the answer, on the presenter and the phones.
        for page in (presenter, *phones.values()):
            mark_stay(page)
        click_step(presenter, "present-close")
        expect(presenter.locator(".stage-callout")).to_be_visible()
        expect(presenter.locator(".bars li")).to_have_count(len(first.get("choices", ())) or 2)
        expect(presenter.locator(".tag-correct")).to_have_count(0)
        expect(presenter.locator(".bars li.correct")).to_have_count(0)
        expect(presenter.locator(".explanation")).to_have_count(0)
        snap(presenter, "voted")
        axe_check(presenter, "presenter-voted")
        for name, phone in phones.items():
            expect(phone.get_by_role("heading", name="Talk it over")).to_be_visible(timeout=LIVE)
            chosen = device_label(first, picks[name])
            expect(phone.locator(".chosen")).to_contain_text(chosen)
            expect(phone.locator(".verdict")).to_have_count(0)
            # Nothing but the student's own answer (whatever its words) says
            # anything about right or wrong.
            text = live_text(phone).replace(chosen, "")
            assert not VERDICT_WORDS.search(text), f"{name}'s phone gives it away: {text}"
            assert_stayed(phone)
        axe_check(phones["Cy"], "phone-discuss")
        expect(console.locator(".progress-line")).to_contain_text(
            "votes in, answer hidden", timeout=LIVE
        )
        axe_check(remote, "remote-voted")

        # Vote again (from the remote): everyone taps the right answer, one tap each.
        click_step(remote, "remote-again")
        for phone in phones.values():
            expect(phone.locator(".progress-line")).to_contain_text("Vote again", timeout=LIVE)
            tap(phone, right)
        for phone in phones.values():
            sent(phone)
        expect(presenter.locator("#answer-count")).to_have_text("3", timeout=LIVE)

        # Close: the reveal, and on the console how the answers moved.
        click_step(presenter, "present-close")
        expect(presenter.locator(".tag-correct")).to_have_count(1)
        expect(presenter.locator(".bars li.correct .bar-count")).to_contain_text("(first vote: 2)")
        axe_check(presenter, "presenter-closed")
        expect(
            console.get_by_role("heading", name="How answers moved after discussion")
        ).to_be_visible(timeout=LIVE)
        expect(console.locator(".moves-line")).to_contain_text("right both times: 2")
        expect(console.locator(".moves-line")).to_contain_text("wrong, then right: 1")
        # Each phone shows its first vote, the one that scores, and the revote beside it.
        for name, phone in phones.items():
            verdict = "verdict-right" if picks[name] == right else "verdict-wrong"
            expect(phone.locator(f".verdict.{verdict}")).to_be_visible(timeout=LIVE)
            expect(phone.locator(".revote-line")).to_have_text(
                "Your second vote was right (for practice: it does not score)."
            )
            assert_stayed(phone)

        # The scoreboard: Ann and Bo share first place (only the first vote scores).
        click_step(presenter, "present-next")
        expect(presenter.get_by_role("heading", name="Top five after question 1")).to_be_visible()
        expect(presenter.locator(".scoreboard li")).to_have_count(3)
        axe_check(presenter, "presenter-board")
        for name, place in {"Ann": 1, "Bo": 1, "Cy": 3}.items():
            expect(phones[name].locator(".score")).to_have_text(
                f"You are in place {place} of 3.", timeout=LIVE
            )
        axe_check(phones["Cy"], "phone-board")

        # The second question: Bo wrong, Cy right; the teacher reveals
        # after the first vote, then the podium.
        click_step(presenter, "present-next")
        expect(presenter.locator(".stage-prompt")).to_have_text(second["prompt"]["en"])
        right, wrong = right_values(second)[0], wrong_values(second)[0]
        for name, value in {"Ann": right, "Bo": wrong, "Cy": right}.items():
            expect(phones[name].locator("form.question-form")).to_be_visible(timeout=LIVE)
            tap(phones[name], value)
        for phone in phones.values():
            sent(phone)
        expect(presenter.locator("#answer-count")).to_have_text("3", timeout=LIVE)
        click_step(presenter, "present-close")
        click_step(presenter, "present-reveal")
        expect(presenter.locator(".tag-correct")).to_have_count(1)
        expect(presenter.locator("#present-next")).to_have_text("Show the final results")
        click_step(presenter, "present-next")

        podium = presenter.locator(".podium li")
        expect(podium).to_have_count(3)
        for name, place in {"Ann": "1.", "Bo": "2.", "Cy": "2."}.items():
            expect(podium.filter(has_text=name).locator(".place")).to_have_text(place)
        snap(presenter, "podium")
        axe_check(presenter, "presenter-podium")
        for name, place in {"Ann": 1, "Bo": 2, "Cy": 2}.items():
            expect(phones[name].locator(".score").nth(1)).to_have_text(
                f"Your place: {place} of 3", timeout=LIVE
            )
            assert_stayed(phones[name])
        assert teacher.session(public_id).phase == "finished"
    finally:
        for context in contexts:
            context.close()


def device_label(content: dict, value: str) -> str:
    """The English words of answer ``value`` as a phone shows it."""
    for choice in content.get("choices", ()):
        if choice["id"] == value:
            return choice["text"]["en"]
    return {"true": "True", "false": "False"}.get(value, value)


# --- typed answers marked again ----------------------------------------------


def test_a_typed_answer_marked_right_on_the_console_changes_the_students_points(
    imported, live_server, new_page
):
    """Typed answers are grouped on the console without names; marking a group
    right updates the phones, the stored marks and the results page."""
    base = live_server
    version_id = first_of_type(imported, "short_text")
    _, public_id, code = teacher_and_session(imported, [version_id])
    content = item_content(imported, public_id, 0)
    console = teacher_page(new_page, base)
    console.goto(f"{base}/classroom/{public_id}")
    # Ann types an accepted answer; Bo and Cy the same unexpected one, written differently.
    typed = {"Ann": right_values(content)[0], "Bo": "A guess", "Cy": "a  GUESS."}
    phones = {name: new_page() for name in typed}
    for name, phone in phones.items():
        join(phone, base, code, name)
    click_step(console, "control-start")
    for name, phone in phones.items():
        expect(phone.locator("#answer")).to_be_visible(timeout=LIVE)
        phone.locator("#answer").fill(typed[name])
        phone.get_by_role("button", name="Submit answer").click()
    for phone in phones.values():
        expect(phone.get_by_role("heading", name="Answer recorded")).to_be_visible(timeout=LIVE)
    expect(console.locator(".answer-count")).to_have_text(
        "Everyone has answered (3 of 3).", timeout=LIVE
    )

    click_step(console, "control-close")
    groups = console.locator("#typed li")
    expect(groups).to_have_count(2)
    guess = groups.filter(has_text=re.compile("a guess", re.I))
    expect(guess).to_contain_text("× 2")
    for name in typed:  # grouped, without names
        expect(console.locator("#typed")).not_to_contain_text(name)
    expect(phones["Bo"].locator(".verdict.verdict-wrong")).to_be_visible(timeout=LIVE)
    mark_stay(phones["Bo"])

    with console.expect_navigation(wait_until="load"):
        guess.get_by_role("button", name=re.compile(r"^Mark right\b")).click()
    expect(console.locator(".flash-info")).to_have_text("Marked 2 answers “a guess” as right.")
    expect(guess).to_have_class(re.compile(r"\bright\b"))
    expect(guess.get_by_role("button", name=re.compile(r"^Mark wrong\b"))).to_be_visible()

    # The students' screens follow, and so do the stored marks and the results.
    expect(phones["Bo"].locator(".verdict.verdict-right")).to_be_visible(timeout=LIVE)
    expect(phones["Bo"].get_by_text("Points for this question: 1")).to_be_visible()
    assert_stayed(phones["Bo"])
    expect(phones["Cy"].locator(".verdict.verdict-right")).to_be_visible(timeout=LIVE)
    with imported.app_context():
        fractions = dict(
            db.session.execute(
                select(Player.nickname, PlayerAnswer.fraction)
                .join(Player, PlayerAnswer.player_id == Player.id)
                .join(ClassSession, Player.session_id == ClassSession.id)
                .where(ClassSession.public_id == public_id)
            ).all()
        )
    assert fractions == {"Ann": 1.0, "Bo": 1.0, "Cy": 1.0}
    console.goto(f"{base}/classroom/{public_id}/results")
    for name in typed:  # points and right answers: one each
        row = console.locator(
            "table.attempts tbody tr", has=console.get_by_role("rowheader", name=name)
        )
        expect(row.locator("td").nth(0)).to_have_text("1")
        expect(row.locator("td").nth(1)).to_have_text("1")


# --- moderation --------------------------------------------------------------


def test_the_teacher_approves_hides_renames_bans_and_locks_out_students(
    imported, live_server, new_page, axe_check
):
    """Moderation from the console (and the lock from the remote), as the
    presenter and the students' phones see it."""
    base = live_server
    teacher, public_id, code = teacher_and_session(
        imported, [four_choice_question(imported)], approve_names="y"
    )
    console = teacher_page(new_page, base)
    console.goto(f"{base}/classroom/{public_id}")
    presenter = console.context.new_page()
    presenter.goto(f"{base}/classroom/{public_id}/present")
    chips = presenter.locator(".name-chips li")

    # A chosen nickname waits for approval before the class sees it.
    ann = new_page(**PHONE)
    join(ann, base, code, "Ann")
    expect(ann.get_by_text("Your nickname is not on the screen for now")).to_be_visible()
    expect(presenter.locator("#joined-count")).to_have_text("1", timeout=LIVE)
    expect(chips).to_have_count(0)
    expect(presenter.get_by_text("1 name is not on the screen yet.")).to_be_visible()
    expect(console.locator(".player-list .tag")).to_have_text("not on the screen", timeout=LIVE)
    axe_check(console, "console-moderation")

    def moderate(button: str) -> None:
        with console.expect_navigation(wait_until="load"):
            console.get_by_role("button", name=button, exact=True).click()

    moderate("Show name Ann")
    expect(chips).to_have_text(["Ann"], timeout=LIVE)
    moderate("Hide name Ann")
    expect(chips).to_have_count(0, timeout=LIVE)
    console.locator("details.rename > summary").click()
    console.get_by_label("New nickname for Ann").fill("Annie")
    with console.expect_navigation(wait_until="load"):
        console.get_by_role("button", name="Save").click()
    expect(console.locator(".player-list .nickname")).to_have_text(["Annie"])
    expect(chips).to_have_text(["Annie"], timeout=LIVE)  # a new name is shown at once

    # Removed with a ban: told so; the same browser cannot come back under another name.
    bob = new_page(**PHONE)
    join(bob, base, code, "Bob")
    expect(console.locator(".player-list .nickname")).to_have_text(["Annie", "Bob"], timeout=LIVE)
    mark_stay(bob)
    console.get_by_text("Ban…").last.click()  # a ban asks first
    moderate("Remove and ban Bob")
    expect(console.locator(".player-list .nickname")).to_have_text(["Annie"])
    expect(bob.get_by_role("heading", name="You are no longer in this session")).to_be_visible(
        timeout=LIVE
    )
    assert_stayed(bob)
    bob.goto(f"{base}/play/")
    bob.locator("#code").fill(code)
    bob.locator("#nickname").fill("Rob")
    bob.locator("form.stacked-form button[type=submit]").click()
    expect(bob.locator("#code-error")).to_have_text("The teacher removed you from that session.")

    # Locked (from the remote): a new student is refused; unlocked, let in.
    remote = console.context.new_page()
    remote.goto(f"{base}/classroom/{public_id}/remote")
    remote.locator("details.switches > summary").click()
    click_step(remote, "remote-lock")
    expect(presenter.get_by_text("The session is locked")).to_be_visible(timeout=LIVE)
    dan = new_page(**PHONE)
    dan.goto(f"{base}/play/")
    dan.locator("#code").fill(code)
    dan.locator("#nickname").fill("Dan")
    dan.locator("form.stacked-form button[type=submit]").click()
    expect(dan.locator("#code-error")).to_have_text(
        "The teacher has locked this session: no one else may join now."
    )
    remote.locator("details.switches > summary").click()
    click_step(remote, "remote-unlock")
    join(dan, base, code, "Dan")
    players = {p.nickname: p for p in teacher.players(public_id)}
    assert players["Bob"].banned and players["Bob"].removed_at is not None
    assert players["Annie"].name_shown and not players["Dan"].name_shown


# --- bad networks ------------------------------------------------------------


def test_the_phone_and_the_presenter_say_when_the_connection_drops_and_catch_up(
    imported, live_server, new_page, browser
):
    """The phone goes offline, the presenter's live requests are refused: both
    show the banner; back online, both say so, hide it, and show the question
    the teacher moved to meanwhile, without a reload."""
    base = live_server
    (first_id, first), (second_id, second) = starter_questions(imported, 2)
    teacher, public_id, code = teacher_and_session(imported, [first_id, second_id])
    presenter = teacher_page(new_page, base)
    presenter.goto(f"{base}/classroom/{public_id}/present")
    context = phone_context(browser, base)
    try:
        phone = context.new_page()
        join(phone, base, code, "Ned")
        teacher.act(public_id, "start")
        expect(phone.locator("h1.prompt")).to_have_text(first["prompt"]["en"], timeout=LIVE)
        expect(presenter.locator(".stage-prompt")).to_have_text(first["prompt"]["en"], timeout=LIVE)
        banners = {page: page.locator("#connection-banner") for page in (phone, presenter)}
        for page, banner in banners.items():
            expect(banner).to_be_hidden()
            mark_stay(page)

        # The phone loses its network; the presenter's live requests fail.
        live_urls = re.compile(r".*/classroom/[0-9a-f]+/(state|present\?part=live).*")
        context.set_offline(True)
        presenter.route(live_urls, lambda route: route.abort())
        teacher.act(public_id, "close")
        for banner in banners.values():
            expect(banner).to_be_visible(timeout=LIVE)
            expect(banner).to_have_text("Connection lost. Trying again…")
        # Meanwhile the teacher moves on to the next question.
        teacher.act(public_id, "next")
        context.set_offline(False)
        presenter.unroute(live_urls)

        for banner in banners.values():
            expect(banner).to_have_text("Connected again.", timeout=2 * LIVE)
        expect(phone.locator("h1.prompt")).to_have_text(second["prompt"]["en"], timeout=LIVE)
        expect(presenter.locator(".stage-prompt")).to_have_text(
            second["prompt"]["en"], timeout=LIVE
        )
        for page, banner in banners.items():
            expect(banner).to_be_hidden(timeout=LIVE)
            assert_stayed(page)
    finally:
        context.close()


# --- the join address --------------------------------------------------------


def test_the_presenter_warns_that_phones_cannot_open_a_loopback_address(
    imported, live_server, new_page
):
    assert "127.0.0.1" in live_server
    _, public_id, _ = teacher_and_session(imported, [four_choice_question(imported)])
    page = teacher_page(new_page, live_server)
    page.goto(f"{live_server}/classroom/{public_id}/present")
    warning = page.locator(".stage-warning")
    expect(warning).to_contain_text(f"Phones cannot open {live_server.split('//')[1]}/play")
    addresses = lan_addresses()
    if not addresses:
        expect(warning).to_contain_text("set QUIZ_PUBLIC_URL")
        return
    link = warning.get_by_role("link", name=addresses[0], exact=True)
    expect(link).to_have_attribute("href", re.compile(rf"via={re.escape(addresses[0])}"))
    link.click()
    # Opened for the network address: the QR code and the address name it.
    expect(page.locator(".join-short")).to_have_text(re.compile(rf"^{re.escape(addresses[0])}:"))
    expect(page.locator("img.qr")).to_have_attribute(
        "src", re.compile(rf"via={re.escape(addresses[0])}")
    )
    expect(page.locator(".stage-warning")).to_have_count(0)
    qr_loaded(page)


# --- the longest questions of the banks --------------------------------------


def longest_questions(app, count: int) -> list[int]:
    """The version ids of the ``count`` published choice questions whose
    prompt sets widest in either language (a Chinese character counts two)."""
    from quizapp.classroom.live import display_width
    from quizapp.services.content import offered_banks

    with app.app_context():
        offered = {summary.bank.id for summary in offered_banks()}
        versions = [
            version
            for bank_id, found in published_by_bank().items()
            if bank_id in offered
            for version in found
            if version.content["type"] in ("single", "multiple", "true_false", "claim")
        ]
        widest = sorted(
            versions,
            key=lambda v: -max(display_width(text) for text in v.content["prompt"].values()),
        )
        return [version.id for version in widest[:count]]


def stage_overflow(page) -> int:
    """How many pixels of the stage's content are under the control bar, or
    would need scrolling (the bar is fixed over the stage's bottom padding)."""
    return page.evaluate(
        "() => { const bar = document.querySelector('.control-bar').getBoundingClientRect().top;"
        " let worst = 0;"
        " for (const e of document.querySelectorAll('.stage-top, .stage-body *, .stage > h1')) {"
        "   const r = e.getBoundingClientRect(); if (r.height) worst = Math.max(worst, r.bottom - bar); }"
        " const s = document.querySelector('.stage');"
        " return Math.max(worst, s.scrollHeight - s.clientHeight,"
        " document.scrollingElement.scrollHeight - innerHeight); }"
    )


def test_the_longest_questions_and_their_answers_fit_a_4_3_projector(
    imported, live_server, new_page, snap
):
    """The eight widest prompts of the banks, with their choices, then their
    votes for discussion and the reveal: nothing scrolls at 1024×768, in
    English or in Chinese (long ones go beside their answers)."""
    teacher, public_id, _code = teacher_and_session(
        imported, longest_questions(imported, 8), discussion="y"
    )
    problems = []
    pages = {"en": teacher_page(new_page, live_server, 1024, 768)}
    pages["zh"] = new_page(locale="zh-CN", width=1024, height=768)
    pages["zh"].goto(f"{live_server}/auth/login")  # in Chinese: by the fields' ids
    pages["zh"].fill("#name", "ms-li")
    pages["zh"].fill("#password", PASSWORD)
    pages["zh"].locator("main button[type=submit]").click()
    expect(pages["zh"].locator("main h1")).to_have_text("我的课堂测验")
    teacher.act(public_id, "start")
    for position in range(8):
        for phase, action in (("open", "close"), ("voted", "reveal"), ("closed", "next")):
            for language, page in pages.items():
                page.goto(f"{live_server}/classroom/{public_id}/present")
                overflow = stage_overflow(page)
                if overflow > 1:
                    problems.append(f"question {position + 1} {phase} {language}: {overflow} px")
                    snap(page, f"q{position + 1}-{phase}-{language}")
            teacher.act(public_id, action)
    assert problems == [], "\n".join(problems)


def test_more_time_reaches_a_phone_in_the_middle_of_a_question(imported, live_server, new_page):
    """A deadline extended while a student is on a question: the phone's ring
    and deadline follow at once, and the answer being chosen stays."""
    from datetime import timedelta

    from quizapp.models.content import utcnow

    teacher, public_id, code = teacher_and_session(
        imported, [four_choice_question(imported)], pacing="student"
    )
    teacher.set_closes_at(public_id, utcnow() + timedelta(minutes=5))
    phone = new_page(**PHONE)
    join(phone, live_server, code, "Ann")
    teacher.act(public_id, "start")
    phone.reload()
    expect(phone.locator(".tile")).to_have_count(4)
    before = phone.locator(".ring-seconds").inner_text()
    phone.locator(".tile").first.focus()
    mark_stay(phone)
    teacher.act(public_id, "more")
    # Five minutes were left; now fifteen: the ring shows minutes and seconds.
    expect(phone.locator(".ring-seconds")).to_have_text(re.compile(r"^1[45]:\d\d$"), timeout=LIVE)
    assert before.startswith(("4:", "5:"))
    assert_stayed(phone)
    expect(phone.locator(".tile").first).to_be_focused()
