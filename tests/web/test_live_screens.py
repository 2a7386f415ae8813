"""The three teacher screens of a live session (console, presenter, remote)
and what they offer per phase; moderation, re-marking, archive and delete,
the join address, and the phones' new screens (discuss, scoreboard)."""

from __future__ import annotations

import re

import pytest

from quizapp.classroom import addresses
from tests.answers import right_values, wrong_values
from tests.web.classroom_client import Student, Teacher
from tests.web.study_client import hidden
from tests.web.test_classroom_session import main_part, make_class, question_ids

SHORT_TEXT = 10  # the starter bank's short-text question


def buttons(page: str) -> set[str]:
    return set(re.findall(r'<button type="submit" id="([a-z-]+)"', page))


def test_the_presenter_has_no_site_menu_and_no_player_controls(teacher):
    public_id, _students = make_class(teacher, 2)
    present = teacher.text(f"/classroom/{public_id}/present")
    assert 'class="site-header"' not in present and "Log out" not in present
    assert "Remove" not in present and "present-finish" not in present
    assert "S01" in present and "S02" in present  # names as chips
    assert buttons(present) == {"present-start"}
    teacher.act(public_id, "start")
    present = teacher.text(f"/classroom/{public_id}/present")
    assert buttons(present) == {"present-close", "present-discuss"}
    assert 'class="stage-prompt"' in present and 'class="tile tint-0"' in present


def test_each_screen_offers_the_next_steps_of_the_phase(teacher):
    public_id, students = make_class(teacher, 2, discussion="y", scoreboard="y")
    content = teacher.content(public_id, 0)
    steps = {
        "lobby": {"start"},
        "open": {"close"},
        "voted": {"again", "reveal"},
        "open2": {"close"},
        "closed": {"next"},
        "board": {"next"},
    }
    seen = {}
    for phase, action in [
        ("lobby", "start"),
        ("open", "close"),
        ("voted", "again"),
        ("open2", "close"),
        ("closed", "next"),
        ("board", "next"),
    ]:
        for screen in ("present", "remote"):
            page = teacher.text(f"/classroom/{public_id}/{screen}")
            seen[(phase, screen)] = {b.split("-", 1)[1] for b in buttons(page)} & {
                "start",
                "close",
                "again",
                "reveal",
                "next",
                "discuss",
            }
        if phase == "open":
            for student in students:
                student.answer(wrong_values(content))
        assert teacher.act(public_id, action).status_code == 302
    for (phase, _screen), offered in seen.items():
        assert offered == steps[phase], phase
    assert teacher.session(public_id).position == 1


def test_a_control_sent_from_the_presenter_comes_back_to_it(teacher):
    public_id, _students = make_class(teacher, 1)
    page = teacher.text(f"/classroom/{public_id}/present")
    response = teacher.post(
        f"/classroom/{public_id}/control",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "action": "start",
            "revision": "0",
            "back": "present",
        },
    )
    assert response.headers["Location"] == f"/classroom/{public_id}/present"
    assert teacher.session(public_id).phase == "open"


def test_a_step_taken_on_the_console_comes_back_to_the_steps(teacher):
    public_id = teacher.create()
    page = teacher.text(f"/classroom/{public_id}")
    response = teacher.post(
        f"/classroom/{public_id}/control",
        {"csrf_token": hidden(page, "csrf_token"), "action": "start", "revision": "0"},
    )
    # The next step sits under the question: the page opens there, not at its top.
    assert response.headers["Location"] == f"/classroom/{public_id}#steps"
    console = teacher.text(response.headers["Location"])
    assert console.count('id="steps"') == 1
    steps = console.split('id="steps"', 1)[1].split("</div>", 1)[0]
    assert "Close the question and show the answers" in steps


def test_in_discussion_phones_see_their_own_answer_and_nothing_of_the_key(teacher):
    public_id, students = make_class(teacher, 2, discussion="y")
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    students[0].answer(right_values(content))
    teacher.act(public_id, "close")
    page = main_part(students[0].page())
    assert "Talk it over" in page and "Your answer:" in page
    for word in ("correct", "Right.", "explanation", "Correct answer"):
        assert word not in page
    quiet = main_part(students[1].page())
    assert "You did not answer this time." in quiet
    present = teacher.text(f"/classroom/{public_id}/present")
    assert "tag-correct" not in present and "Talk with your neighbour" in present


def test_the_scoreboard_tells_each_phone_its_place_and_how_it_moved(teacher):
    public_id, students = make_class(teacher, 3, scoreboard="y")
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    students[0].answer(right_values(content))
    students[1].answer(wrong_values(content))
    teacher.act(public_id, "close")
    teacher.act(public_id, "next")
    assert teacher.session(public_id).phase == "board"
    first = main_part(students[0].page())
    assert "You are in place 1 of 3." in first and "You moved up" not in first
    last = main_part(students[2].page())
    assert "You are in place 2 of 3." in last  # S02 and S03 tie with 0 points
    present = teacher.text(f"/classroom/{public_id}/present")
    assert "Top five after question 1" in present


def test_a_switch_turns_the_scoreboard_off_for_the_rest_of_the_session(teacher):
    public_id, _students = make_class(teacher, 1, scoreboard="y")
    teacher.act(public_id, "start")
    teacher.act(public_id, "scoreboard-off")
    teacher.act(public_id, "close")
    teacher.act(public_id, "next")
    assert teacher.session(public_id).phase == "open"
    assert teacher.act(public_id, "no-such-switch").status_code == 400


def test_names_off_the_screen_show_players_by_number(teacher):
    public_id, _students = make_class(teacher, 2)
    teacher.act(public_id, "names-off")
    present = teacher.text(f"/classroom/{public_id}/present")
    assert "S01" not in present and "Player 1" in present and "Player 2" in present
    assert "S01" in teacher.host(public_id)  # the console still shows them


def test_approving_hiding_and_renaming_a_player(teacher):
    public_id = teacher.create(approve_names="y")
    student = Student(teacher.app)
    student.join(teacher.code(public_id), "Zed")
    [player] = teacher.players(public_id)
    assert not player.name_shown
    assert "Zed" not in teacher.text(f"/classroom/{public_id}/present")
    assert "1 name is not on the screen yet." in teacher.text(f"/classroom/{public_id}/present")
    teacher.moderate(public_id, player.id, "approve")
    assert "Zed" in teacher.text(f"/classroom/{public_id}/present")
    teacher.moderate(public_id, player.id, "rename", "Zed Two")
    assert teacher.players(public_id)[0].nickname == "Zed Two"
    refused = teacher.moderate(public_id, player.id, "rename", "fuckface")
    assert refused.status_code == 302
    assert teacher.players(public_id)[0].nickname == "Zed Two"
    teacher.moderate(public_id, player.id, "hide")
    assert "Zed Two" not in teacher.text(f"/classroom/{public_id}/present")
    assert teacher.moderate(public_id, player.id, "explode").status_code == 400
    assert teacher.moderate(public_id, 999999, "hide").status_code == 404


def test_a_ban_and_a_lock_keep_students_out(teacher):
    public_id = teacher.create()
    code = teacher.code(public_id)
    kicked = Student(teacher.app)
    kicked.join(code, "Kicked")
    [player] = teacher.players(public_id)
    teacher.moderate(public_id, player.id, "ban")
    again = kicked.join(code, "Kicked2")
    assert again.status_code == 422
    assert "The teacher removed you from that session." in again.get_data(as_text=True)
    teacher.act(public_id, "lock")
    late = Student(teacher.app).join(code, "Late")
    assert "The teacher has locked this session" in late.get_data(as_text=True)
    teacher.act(public_id, "unlock")
    assert Student(teacher.app).join(code, "Late").status_code == 302
    assert [p.nickname for p in teacher.players(public_id)] == ["Kicked", "Late"]


def test_a_code_typed_with_spaces_joins(teacher):
    public_id = teacher.create()
    code = teacher.code(public_id)
    response = Student(teacher.app).join(f" {code[:3]} {code[3:]} ", "Spacey")
    assert response.status_code == 302


def test_typed_answers_are_grouped_without_names_and_can_be_marked_right(teacher):
    [short] = question_ids(teacher, [SHORT_TEXT])
    public_id, students = make_class(teacher, 3, questions=[short])
    teacher.act(public_id, "start")
    for student, text in zip(students, ("deep fake", "Deep Fake.", "a robot"), strict=True):
        student.answer([text])
    teacher.act(public_id, "close")
    host = main_part(teacher.host(public_id))
    groups = re.findall(r'<span class="typed-text">([^<]*)</span> <span class="typed-count">', host)
    assert sorted(groups) == ["a robot", "deep fake"]
    assert (
        "S01" not in host[host.index('id="typed"') : host.index("</ul>", host.index('id="typed"'))]
    )
    page = teacher.text(f"/classroom/{public_id}")
    response = teacher.post(
        f"/classroom/{public_id}/remark",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "position": "0",
            "key": "a robot",
            "mark": "right",
        },
    )
    assert response.status_code == 302
    fractions = sorted(answer.fraction for answer in teacher.answers(public_id))
    assert 1.0 in fractions
    robot = next(a for a in teacher.answers(public_id) if a.response == "a robot")
    assert robot.fraction == 1.0 and robot.points == 1.0
    results = teacher.text(f"/classroom/{public_id}/results")
    assert "Marked 1 answer “a robot” as right." in results  # the flash after the redirect
    bad = teacher.post(
        f"/classroom/{public_id}/remark",
        {"csrf_token": hidden(page, "csrf_token"), "position": "0", "key": "x", "mark": "maybe"},
    )
    assert bad.status_code == 400


def test_archive_hides_a_session_and_delete_asks_for_its_title(teacher):
    public_id, _students = make_class(teacher, 1)
    dashboard = teacher.text("/classroom/")
    teacher.post(
        f"/classroom/{public_id}/archive",
        {"csrf_token": hidden(dashboard, "csrf_token"), "archived": "1"},
    )
    assert teacher.session(public_id).phase == "finished"
    assert public_id not in teacher.text("/classroom/")
    assert public_id in teacher.text("/classroom/?archived=1")
    page = teacher.text(f"/classroom/{public_id}/delete")
    wrong = teacher.post(
        f"/classroom/{public_id}/delete",
        {"csrf_token": hidden(page, "csrf_token"), "confirm": "something else"},
    )
    assert wrong.status_code == 422 and teacher.players(public_id)
    right = teacher.post(
        f"/classroom/{public_id}/delete",
        {"csrf_token": hidden(page, "csrf_token"), "confirm": teacher.session(public_id).title},
    )
    assert right.status_code == 302
    assert teacher.get(f"/classroom/{public_id}").status_code == 404


def test_a_running_session_cannot_be_deleted(teacher):
    public_id, _students = make_class(teacher, 1)
    teacher.act(public_id, "start")
    response = teacher.get(f"/classroom/{public_id}/delete")
    assert response.status_code == 302
    assert teacher.session(public_id).phase == "open"


def test_an_old_qr_code_says_the_session_ended(teacher):
    public_id = teacher.create()
    code = teacher.code(public_id)
    teacher.act(public_id, "finish")
    page = Student(teacher.app).text(f"/play/{code}")
    assert "That session has ended." in page


@pytest.fixture
def lan(monkeypatch):
    monkeypatch.setattr(addresses, "lan_addresses", lambda: ["192.168.1.20"])


def test_a_loopback_join_address_is_warned_and_a_lan_address_offered(teacher, lan):
    public_id = teacher.create()
    code = teacher.code(public_id)
    present = teacher.text(f"/classroom/{public_id}/present")  # the test client is "localhost"
    assert "Phones cannot open localhost/play" in present
    assert f"/classroom/{public_id}/present?via=192.168.1.20" in present
    chosen = teacher.text(f"/classroom/{public_id}/present?via=192.168.1.20")
    assert "Phones cannot open" not in chosen
    assert f"http://192.168.1.20/play/{code}" in chosen  # the QR code's alt text
    assert "qr.svg?via=192.168.1.20" in chosen
    qr = teacher.get(f"/classroom/{public_id}/qr.svg?via=192.168.1.20")
    assert qr.status_code == 200 and b"<svg" in qr.get_data()


def test_the_loopback_warning_reads_as_one_text_in_either_language(teacher, lan):
    public_id = teacher.create()
    for path in (f"/classroom/{public_id}/present", f"/classroom/{public_id}"):
        english = teacher.text(path)
        assert "this computer only. Use this computer's network address: <a" in english
        chinese = teacher.get(path, headers={"Accept-Language": "zh"}).get_data(as_text=True)
        warning = chinese.split('role="alert">', 1)[1].split("</p>", 1)[0]
        assert "。" in warning and "。 " not in warning and "：<a" in warning, warning


def test_only_an_address_of_this_machine_goes_into_the_qr_code(teacher, lan):
    public_id = teacher.create()
    code = teacher.code(public_id)
    page = teacher.text(f"/classroom/{public_id}/present?via=evil.example")
    assert "evil.example" not in page.replace("via=evil.example", "")
    assert f"http://localhost/play/{code}" in page


def test_a_public_url_setting_names_the_join_address(teacher):
    teacher.app.config["QUIZ_PUBLIC_URL"] = "https://quiz.school.example"
    try:
        public_id = teacher.create()
        page = teacher.text(f"/classroom/{public_id}/present")
    finally:
        teacher.app.config["QUIZ_PUBLIC_URL"] = ""
    assert "quiz.school.example/play" in page and "Phones cannot open" not in page


def test_the_remote_is_for_the_sessions_teacher_only(teacher):
    public_id = teacher.create()
    other = Teacher(teacher.app, "mr-wang")
    assert other.get(f"/classroom/{public_id}/remote").status_code == 404
    assert Student(teacher.app).get(f"/classroom/{public_id}/present").status_code == 302


def test_the_student_paced_grid_can_be_made_anonymous_for_the_projector(teacher):
    public_id, _students = make_class(teacher, 2, pacing="student")
    teacher.act(public_id, "start")
    grid = main_part(teacher.host(public_id))
    assert '<th scope="row">S01</th>' in grid
    teacher.act(public_id, "names-off")
    grid = main_part(teacher.host(public_id))
    assert '<th scope="row">S01</th>' not in grid and '<th scope="row">Player 1</th>' in grid
    present = teacher.text(f"/classroom/{public_id}/present")
    assert "S01" not in present and "Work at your own pace" in present


def test_a_revote_asks_no_certainty_and_the_reveal_shows_the_first_vote(teacher):
    public_id, [ann] = make_class(teacher, 1, discussion="y", scoring="certainty")
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    assert 'data-confidence="3"' in ann.page()
    ann.answer(wrong_values(content), confidence="3")
    teacher.act(public_id, "close")
    teacher.act(public_id, "again")
    second = main_part(ann.page())
    assert "data-confidence" not in second and 'name="confidence"' not in second
    response = ann.answer(right_values(content))  # no certainty: taken
    assert response.status_code == 302
    teacher.act(public_id, "close")
    page = main_part(ann.page())
    assert "your first vote" in page and "−6" in page
    assert "Your second vote was right (for practice: it does not score)." in page
    rounds = sorted((a.round, a.confidence, a.points) for a in teacher.answers(public_id))
    assert rounds == [(1, 3, -6.0), (2, None, 0.0)]


def test_a_multiple_answer_question_is_tiles_in_the_projectors_colours(teacher):
    [multiple] = question_ids(teacher, [9])
    public_id, [ann] = make_class(teacher, 1, questions=[multiple])
    teacher.act(public_id, "start")
    page = main_part(ann.page())
    content = teacher.content(public_id, 0)
    tiles = re.findall(
        r'<label class="tile tint-(\d)">\s*<input type="checkbox" name="answer" value="([^"]+)"',
        page,
    )
    assert len(tiles) == len(content["choices"])
    order = [choice["id"] for choice in content["choices"]]
    assert all(int(tint) == order.index(value) % 6 for tint, value in tiles)
    assert "Submit answer" in page


def test_a_join_link_typed_with_the_screens_space_finds_the_session(teacher):
    public_id = teacher.create()
    code = teacher.code(public_id)
    page = Student(teacher.app).text(f"/play/{code[:3]}%20{code[3:]}")
    assert f'value="{code}"' in page and "No session with that code" not in page
