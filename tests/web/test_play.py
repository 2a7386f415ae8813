"""The students' side of classroom sessions through HTTP: joining, rejoining,
answering, and what each device shows."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from markupsafe import escape

from quizapp.classroom.live import utc_iso
from quizapp.models.content import utcnow
from quizapp.services.classroom import DEADLINE_GRACE
from tests.answers import right_values, wrong_values
from tests.conftest import shipped_bank_size
from tests.web.classroom_client import Student, Teacher
from tests.web.study_client import EN, hidden

STARTER_SIZE = shipped_bank_size("starter")

ZH = {"Accept-Language": "zh"}


def make_session(teacher: Teacher, **options) -> tuple[str, str]:
    """A starter-bank session in its lobby: (public id, join code)."""
    public_id = teacher.create(**options)
    return public_id, teacher.code(public_id)


def make_student(teacher: Teacher, code: str, nickname: str, headers=EN) -> Student:
    """A student who has joined with ``code`` as ``nickname``."""
    student = Student(teacher.app, headers)
    response = student.join(code, nickname)
    assert response.status_code == 302, response.get_data(as_text=True)
    return student


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def nicknames(teacher: Teacher, public_id: str) -> list[str]:
    return [player.nickname for player in teacher.players(public_id)]


def says(page: str, message: str) -> bool:
    """Whether ``page`` shows ``message`` (as the template escapes it)."""
    return str(escape(message)) in page


# Joining


def test_a_student_joins_with_the_code_form_and_lands_on_the_lobby(teacher):
    public_id, code = make_session(teacher)
    student = Student(teacher.app)
    response = student.join(code, "Ann")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/play/s/{public_id}"
    page = main_part(student.page())
    assert "You are Ann" in page and "You are in!" in page
    assert nicknames(teacher, public_id) == ["Ann"]


def test_the_qr_code_url_fills_in_the_code_and_joins_from_it(teacher):
    public_id, code = make_session(teacher)
    student = Student(teacher.app)
    page = student.text(f"/play/{code}")
    assert re.search(rf'name="code"[^>]*value="{code}"', page)
    response = student.post(
        f"/play/{code}",
        {"csrf_token": hidden(page, "csrf_token"), "code": code, "nickname": "Ann"},
    )
    assert response.headers["Location"] == f"/play/s/{public_id}"
    assert nicknames(teacher, public_id) == ["Ann"]


def test_a_wrong_code_is_refused_with_a_clear_message(teacher):
    public_id, code = make_session(teacher)
    wrong = next(c for c in ("123456", "654321") if c != code)
    response = Student(teacher.app).join(wrong, "Ann")
    assert response.status_code == 422
    assert says(
        response.get_data(as_text=True),
        "No session with that code is running. Check the code on the screen.",
    )
    assert nicknames(teacher, public_id) == []


def test_a_code_of_the_wrong_shape_is_refused_before_looking_it_up(teacher):
    public_id, _code = make_session(teacher)
    response = Student(teacher.app).join("12 34", "Ann")
    assert response.status_code == 422
    assert "The code is 6 digits." in response.get_data(as_text=True)
    assert nicknames(teacher, public_id) == []


@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("", "Enter a nickname."),
        ("   ", "Enter a nickname."),
        ("x" * 21, "That nickname is too long: at most 20 characters."),
        ("Big Admin", "That nickname is not allowed here. Choose another."),
        ("老师好", "That nickname is not allowed here. Choose another."),
        ("Ann", "Someone in this session already has that nickname. Choose another."),
        ("ANN", "Someone in this session already has that nickname. Choose another."),
        ("Ａｎｎ", "Someone in this session already has that nickname. Choose another."),
        ("A nn", "Someone in this session already has that nickname. Choose another."),
    ],
    ids=["empty", "blank", "too-long", "denied", "denied-zh", "taken", "case", "width", "space"],
)
def test_a_refused_nickname_says_why_and_creates_no_player(teacher, nickname, message):
    public_id, code = make_session(teacher)
    make_student(teacher, code, "Ann")
    response = Student(teacher.app).join(code, nickname)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says(page, message) and 'id="nickname-error"' in page
    assert nicknames(teacher, public_id) == ["Ann"]


def test_a_nickname_of_twenty_characters_is_accepted(teacher):
    public_id, code = make_session(teacher)
    make_student(teacher, code, "y" * 20)
    assert nicknames(teacher, public_id) == ["y" * 20]


def test_a_generated_nickname_session_ignores_the_typed_nickname(teacher):
    public_id, code = make_session(teacher, nicknames="generated")
    join_page = Student(teacher.app).text(f"/play/{code}")
    assert "This session gives you a nickname when you join." in join_page
    assert 'name="nickname"' not in join_page
    student = make_student(teacher, code, "admin")  # denied, yet not even looked at
    [nickname] = nicknames(teacher, public_id)
    assert nickname != "admin" and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", nickname)
    assert f"You are {nickname}" in student.page()


def test_a_late_joiner_starts_at_the_current_question(teacher):
    public_id, code = make_session(teacher)
    early = make_student(teacher, code, "Early")
    teacher.act(public_id, "start")
    early.answer(right_values(teacher.content(public_id, 0)))
    teacher.act(public_id, "close")
    teacher.act(public_id, "next")
    late = make_student(teacher, code, "Late")
    page = late.page()
    assert hidden(page, "position") == "1" and f"Question 2 of {STARTER_SIZE}" in page
    assert late.answer(wrong_values(teacher.content(public_id, 1))).status_code == 302
    assert [(a.position, a.round) for a in teacher.answers(public_id)] == [(0, 1), (1, 1)]
    assert teacher.players(public_id)[1].first_position == 1


def test_joining_while_a_question_is_closed_waits_for_the_next_one(teacher):
    public_id, code = make_session(teacher)
    make_student(teacher, code, "Early")
    teacher.act(public_id, "start")
    teacher.act(public_id, "close")
    late = make_student(teacher, code, "Late")
    page = main_part(late.page())
    assert "You joined after this question." in page and 'name="answer"' not in page
    assert "Right." not in page and "explanation" not in page
    teacher.act(public_id, "next")
    assert hidden(late.page(), "position") == "1"


def test_joining_after_a_time_limit_ran_out_unseen_waits_for_the_next_question(teacher):
    public_id, code = make_session(teacher, time_limit="30")
    make_student(teacher, code, "Early")
    teacher.act(public_id, "start")
    teacher.set_closes_at(public_id, utcnow() - timedelta(seconds=1))  # nobody looked since
    late = make_student(teacher, code, "Late")
    assert "You joined after this question." in late.page()
    assert teacher.players(public_id)[1].first_position == 1


def test_questions_before_a_late_join_count_as_absent_not_wrong(teacher):
    public_id, code = make_session(teacher)
    make_student(teacher, code, "Early")  # present, never answers
    teacher.act(public_id, "start")
    teacher.act(public_id, "close")
    teacher.act(public_id, "next")
    late = make_student(teacher, code, "Late")
    late.answer(right_values(teacher.content(public_id, 1)))
    teacher.act(public_id, "close")
    teacher.act(public_id, "finish")
    finished = main_part(late.page())
    assert "Right: 1 of 1 answered." in finished
    assert "1 question before you joined counts as absent." in finished
    text = teacher.get(f"/classroom/{public_id}/students.csv").get_data(as_text=True)
    rows = {row[0]: row for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    # Nickname, Points, Right, Answered, Absent, Time, Removed, Q1, Q2, …
    assert rows["Late"][1:5] == ["1", "1", "1", "1"] and rows["Late"][7:9] == ["absent", "right"]
    assert rows["Early"][4] == "0" and rows["Early"][7:9] == ["no answer", "no answer"]


def test_a_session_without_late_joining_refuses_students_after_the_start(teacher):
    public_id, code = make_session(teacher, late_join=False)
    make_student(teacher, code, "Early")
    teacher.act(public_id, "start")
    response = Student(teacher.app).join(code, "Late")
    assert response.status_code == 422
    assert says(
        response.get_data(as_text=True),
        "That session has started and does not take late joiners.",
    )
    assert nicknames(teacher, public_id) == ["Early"]


def test_a_finished_session_cannot_be_joined(teacher):
    public_id, code = make_session(teacher)
    make_student(teacher, code, "Early")
    teacher.act(public_id, "finish")
    response = Student(teacher.app).join(code, "Late")
    assert response.status_code == 422
    # The code of a session that ended lately says so (an old QR code), and
    # is not handed to another session for QUIZ_CODE_REUSE_DAYS.
    assert says(response.get_data(as_text=True), "That session has ended.")
    assert nicknames(teacher, public_id) == ["Early"]


def test_a_student_paced_session_past_its_deadline_cannot_be_joined(teacher):
    public_id, code = make_session(teacher, pacing="student")
    teacher.act(public_id, "start")
    teacher.set_closes_at(
        public_id, utcnow() - DEADLINE_GRACE - timedelta(seconds=1)
    )  # nobody looked since
    response = Student(teacher.app).join(code, "Late")
    assert response.status_code == 422
    assert says(response.get_data(as_text=True), "That session has ended.")
    assert nicknames(teacher, public_id) == []


# Rejoining


@pytest.fixture
def answered_first(teacher):
    """Ann has answered question 1 right and it is closed: (teacher, session id, Ann)."""
    public_id, code = make_session(teacher)
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    ann.answer(right_values(teacher.content(public_id, 0)))
    teacher.act(public_id, "close")
    return teacher, public_id, ann


def assert_back_as_ann(page: str):
    page = main_part(page)
    assert "You are Ann" in page and "Right." in page and "Points for this question: 1" in page


def test_a_reload_shows_the_same_player_with_their_answer_and_points(answered_first):
    teacher, public_id, ann = answered_first
    assert_back_as_ann(ann.page())
    assert_back_as_ann(ann.page())
    assert nicknames(teacher, public_id) == ["Ann"] and len(teacher.answers(public_id)) == 1


def test_coming_back_with_the_code_after_closing_the_tab_finds_the_same_player(answered_first):
    teacher, public_id, ann = answered_first
    ann.text("/")  # the tab was closed; later the student types the code again
    response = ann.join(teacher.code(public_id), "")  # no new nickname needed
    assert response.headers["Location"] == f"/play/s/{public_id}"
    assert_back_as_ann(ann.page())
    assert nicknames(teacher, public_id) == ["Ann"]


def test_a_dropped_phone_with_only_its_cookie_comes_back_as_the_same_player(answered_first):
    teacher, public_id, ann = answered_first
    phone = ann.carried_over()
    assert_back_as_ann(phone.page())
    teacher.act(public_id, "next")
    phone.answer(right_values(teacher.content(public_id, 1)))
    teacher.act(public_id, "close")
    teacher.act(public_id, "finish")
    assert "Your points: 2" in phone.page()
    assert nicknames(teacher, public_id) == ["Ann"]
    assert {a.player_id for a in teacher.answers(public_id)} == {teacher.players(public_id)[0].id}


def test_opening_the_join_link_again_goes_straight_to_the_live_page(answered_first):
    teacher, public_id, ann = answered_first
    response = ann.get(f"/play/{teacher.code(public_id)}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/play/s/{public_id}"


def test_a_browser_that_never_joined_is_sent_to_the_join_page(answered_first):
    teacher, public_id, _ann = answered_first
    stranger = Student(teacher.app)
    response = stranger.get(f"/play/s/{public_id}")
    assert response.headers["Location"] == f"/play/{teacher.code(public_id)}"
    assert stranger.get(f"/play/s/{public_id}/1").status_code == 404


def test_a_browser_that_never_joined_a_finished_session_gets_a_404(answered_first):
    teacher, public_id, _ann = answered_first
    teacher.act(public_id, "finish")
    assert Student(teacher.app).get(f"/play/s/{public_id}").status_code == 404


def test_a_forged_session_cookie_is_no_player(answered_first):
    teacher, public_id, ann = answered_first
    forged = Student(teacher.app)
    value = ann.client.get_cookie("session").value
    forged.client.set_cookie("session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    forged.public_id = public_id
    response = forged.get(f"/play/s/{public_id}")
    assert response.headers["Location"] == f"/play/{teacher.code(public_id)}"


# Answering


@pytest.fixture
def on_first_question(teacher):
    """Ann is on open question 1: (teacher, session id, Ann, question 1's content)."""
    public_id, code = make_session(teacher)
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    return teacher, public_id, ann, teacher.content(public_id, 0)


def test_the_same_answer_form_sent_twice_records_one_answer(on_first_question):
    teacher, public_id, ann, content = on_first_question
    form = ann.form()
    first = ann.answer(right_values(content), form=form)
    second = ann.answer(wrong_values(content), form=form)
    assert first.headers["Location"] == second.headers["Location"] == f"/play/s/{public_id}"
    page = main_part(ann.page())
    assert "You had already answered this question; your first answer stands." in page
    [stored] = teacher.answers(public_id)
    assert stored.fraction == 1 and stored.points == 1


def test_a_student_paced_answer_sent_twice_is_told_apart_on_its_feedback_page(teacher):
    """The feedback page says what became of each send, from its address:
    answering sets no cookie, and a plain visit to the page says nothing."""
    public_id, code = make_session(teacher, pacing="student")
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    form = ann.form()
    first = ann.answer(right_values(content), form=form)
    second = ann.answer(wrong_values(content), form=form)
    feedback = f"/play/s/{public_id}/1"
    assert first.headers["Location"] == f"{feedback}?notice=recorded"
    assert second.headers["Location"] == f"{feedback}?notice=repeat"
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    recorded, repeat = (main_part(ann.text(r.headers["Location"])) for r in (first, second))
    assert "Your answer is recorded." in recorded and "first answer stands" not in recorded
    assert says(repeat, "You had already answered this question; your first answer stands.")
    for plain in (feedback, f"{feedback}?notice=late", f"{feedback}?notice=<b>"):
        assert 'class="flash' not in main_part(ann.text(plain)), plain
    [stored] = teacher.answers(public_id)
    assert stored.fraction == 1


@pytest.mark.parametrize("by_script", [False, True], ids=["form post", "sent by live.js"])
def test_an_answer_after_the_teacher_closed_the_question_is_too_late(on_first_question, by_script):
    """Posted by the browser, the page after the redirect says so; sent by
    the script, its reply is the closed question with the notice."""
    teacher, public_id, ann, content = on_first_question
    form = ann.form()
    teacher.act(public_id, "close")
    reply = ann.answer(right_values(content), form=form, part=by_script)
    page = live_part(reply) if by_script else main_part(ann.page())
    assert (
        "Too late: the question had closed before your answer arrived. It was not recorded." in page
    )
    assert "flash-error" in page
    assert "You did not answer this question." in page
    assert teacher.answers(public_id) == []


def test_an_answer_after_the_time_limit_is_too_late(teacher):
    public_id, code = make_session(teacher, time_limit="30")
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    form = ann.form()
    assert 'role="timer"' in ann.page() and 'data-duration-s="30"' in ann.page()
    teacher.set_closes_at(public_id, utcnow() - timedelta(seconds=1))
    ann.answer(right_values(teacher.content(public_id, 0)), form=form)
    assert "Too late: the question had closed" in ann.page()
    assert teacher.answers(public_id) == []
    assert teacher.session(public_id).phase == "closed"


def test_a_stale_answer_form_shows_the_question_again_with_the_answer_filled_in(
    on_first_question,
):
    teacher, public_id, ann, content = on_first_question
    form = dict(ann.form(), csrf_token="expired-or-from-elsewhere")
    [value] = wrong_values(content)
    response = ann.answer([value], form=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "security check expired" in page
    assert str(escape(content["prompt"]["en"])) in page
    assert re.search(rf'value="{value}"\s+checked', page)
    assert teacher.answers(public_id) == []
    retry = ann.answer([value], form={**ann.form(), "csrf_token": hidden(page, "csrf_token")})
    assert retry.status_code == 302 and len(teacher.answers(public_id)) == 1


def test_a_missing_answer_is_asked_for_and_the_confidence_kept(teacher):
    public_id, code = make_session(teacher, scoring="certainty")
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    response = ann.answer([], confidence="3")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose or enter an answer first." in page
    assert re.search(r'value="3"\s+checked', page)
    assert teacher.answers(public_id) == []


def test_a_missing_confidence_is_asked_for_and_the_answer_kept(teacher):
    public_id, code = make_session(teacher, scoring="certainty")
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    [value] = right_values(teacher.content(public_id, 0))
    response = ann.answer([value])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say how sure you are." in page
    assert re.search(rf'value="{value}"\s+checked', page)
    assert teacher.answers(public_id) == []


# Answers sent by the screen's script (?part=live): the reply is the live part


def live_part(response) -> str:
    """The body of a live part: the region and its notices, no page around them."""
    body = response.get_data(as_text=True)
    assert "data-live-state" in body and "<header" not in body, body[:300]
    return body


def test_an_answer_sent_by_the_script_gets_the_next_screen_with_its_notice(on_first_question):
    teacher, public_id, ann, content = on_first_question
    response = ann.answer(right_values(content), part=True)
    assert response.status_code == 200
    part = live_part(response)
    assert "Your answer is recorded." in part and "flash-status" in part
    assert "Answer recorded" in part  # the waiting screen, not the question again
    assert f'data-live-version="{teacher.session(public_id).revision}"' in part
    [stored] = teacher.answers(public_id)
    assert stored.fraction == 1
    assert "Your answer is recorded." not in main_part(ann.page())  # told once, not flashed


def test_a_double_click_sent_by_the_script_records_one_answer_and_says_so(on_first_question):
    teacher, public_id, ann, content = on_first_question
    form = ann.form()
    first = ann.answer(right_values(content), form=form, part=True)
    second = ann.answer(wrong_values(content), form=form, part=True)
    assert "Your answer is recorded." in live_part(first)
    assert "your first answer stands" in live_part(second)
    [stored] = teacher.answers(public_id)
    assert stored.fraction == 1


def test_an_incomplete_or_stale_answer_sent_by_the_script_gets_the_question_back(teacher):
    public_id, code = make_session(teacher, scoring="certainty")
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    [value] = right_values(teacher.content(public_id, 0))
    missing = ann.answer([value], part=True)
    assert missing.status_code == 422
    assert "Say how sure you are." in live_part(missing)
    stale = ann.answer([value], "2", form={**ann.form(), "csrf_token": "expired"}, part=True)
    assert stale.status_code == 400
    part = live_part(stale)
    assert "security check expired" in part and re.search(rf'value="{value}"\s+checked', part)
    assert teacher.answers(public_id) == []


def test_only_a_teacher_paced_question_form_is_sent_by_the_script(teacher):
    """A student-paced answer goes on to its feedback page: a page load anyway."""
    paced_by_teacher, code = make_session(teacher)
    ann = make_student(teacher, code, "Ann")
    teacher.act(paced_by_teacher, "start")
    assert "data-live-submit" in ann.page()
    paced_by_student, code = make_session(teacher, pacing="student")
    bo = make_student(teacher, code, "Bo")
    teacher.act(paced_by_student, "start")
    assert "data-live-submit" not in bo.page()


def test_a_removed_player_cannot_answer_and_is_told_so(on_first_question):
    teacher, public_id, ann, content = on_first_question
    form = ann.form()
    [player] = teacher.players(public_id)
    assert teacher.remove(public_id, player.id).status_code == 302
    assert "The teacher removed you from this session." in ann.page()
    response = ann.answer(right_values(content), form=form)
    assert response.headers["Location"] == f"/play/s/{public_id}"
    assert "The teacher removed you from this session." in ann.page()
    assert teacher.answers(public_id) == []


def test_a_removed_player_cannot_join_again(on_first_question):
    teacher, public_id, ann, _content = on_first_question
    teacher.remove(public_id, teacher.players(public_id)[0].id)
    response = ann.join(teacher.code(public_id), "Ann again")
    assert response.status_code == 422
    assert "The teacher removed you from that session." in response.get_data(as_text=True)
    assert nicknames(teacher, public_id) == ["Ann"]


# What each device shows


def test_with_shuffle_on_devices_differ_and_each_keeps_its_order(teacher):
    public_id, code = make_session(teacher)
    students = [make_student(teacher, code, f"S{n}") for n in range(10)]
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    assert len(content["choices"]) >= 3
    orders = [tuple(student.choice_order()) for student in students]
    assert len(set(orders)) >= 2
    for student, order in zip(students, orders, strict=True):
        assert sorted(order) == sorted(c["id"] for c in content["choices"])
        assert tuple(student.choice_order()) == order  # a reload keeps it
        assert tuple(student.carried_over().choice_order()) == order


def test_with_shuffle_off_every_device_shows_the_bank_order(teacher):
    public_id, code = make_session(teacher, shuffle=False)
    students = [make_student(teacher, code, f"S{n}") for n in range(10)]
    teacher.act(public_id, "start")
    bank_order = [c["id"] for c in teacher.content(public_id, 0)["choices"]]
    assert [student.choice_order() for student in students] == [bank_order] * 10


def test_the_question_page_shows_the_prompt_and_every_choice_in_full(on_first_question):
    _teacher, _public_id, ann, content = on_first_question
    page = main_part(ann.page())
    assert str(escape(content["prompt"]["en"])) in page
    for choice in content["choices"]:
        assert str(escape(choice["text"]["en"])) in page
    assert "Keyboard: press a number to answer" in page
    assert page.count('<span class="key key-hint" aria-hidden="true">') == len(content["choices"])


def test_the_same_page_is_in_each_students_own_language(teacher):
    public_id, code = make_session(teacher)
    english = make_student(teacher, code, "Ann", EN)
    chinese = make_student(teacher, code, "小明", ZH)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    en_page, zh_page = main_part(english.page()), main_part(chinese.page())
    assert f"Question 1 of {STARTER_SIZE}" in en_page and "Choose one answer" in en_page
    assert f"Question 1 of {STARTER_SIZE}" not in zh_page and "Choose one answer" not in zh_page
    assert str(escape(content["prompt"]["en"])) in en_page
    assert content["prompt"]["zh"] in zh_page and content["prompt"]["en"] not in zh_page
    for choice in content["choices"]:
        assert choice["text"]["zh"] in zh_page and choice["text"]["en"] not in zh_page


# Live updates


def test_the_state_is_not_modified_until_the_teacher_acts(teacher):
    public_id, code = make_session(teacher)
    ann = make_student(teacher, code, "Ann")
    seen = [ann.state().get_json()["version"]]
    for action in ("start", "discuss", "again", "close", "next", "close", "finish"):
        unchanged = ann.state(seen[-1])
        assert unchanged.status_code == 304 and unchanged.get_data() == b""
        assert teacher.act(public_id, action).status_code == 302
        changed = ann.state(seen[-1])
        assert changed.status_code == 200
        assert changed.headers["ETag"] == f'"{changed.get_json()["version"]}"'
        seen.append(changed.get_json()["version"])
    assert len(set(seen)) == len(seen) == 8


def test_a_students_answer_does_not_change_the_students_state(on_first_question):
    _teacher, _public_id, ann, content = on_first_question
    version = ann.state().get_json()["version"]
    ann.answer(right_values(content))
    assert ann.state(version).status_code == 304


def test_the_live_page_carries_the_version_of_the_state(on_first_question):
    teacher, public_id, ann, content = on_first_question
    for step in ("open", "answered", "closed"):
        if step == "answered":
            ann.answer(right_values(content))
        if step == "closed":
            teacher.act(public_id, "close")
        version = ann.state().get_json()["version"]
        assert f'data-live-version="{version}"' in ann.page(), step


def test_a_broken_deny_list_file_falls_back_to_the_shipped_list(imported, tmp_path, caplog):
    broken = tmp_path / "denylist.yaml"
    broken.write_text("words: [unclosed\n", encoding="utf-8")
    imported.config["QUIZ_NICKNAME_DENYLIST"] = broken
    teacher = Teacher(imported)
    code = teacher.code(teacher.create())
    refused = Student(imported).join(code, "shit")
    assert refused.status_code == 422
    assert "not allowed" in refused.get_data(as_text=True)
    assert Student(imported).join(code, "Ann").status_code == 302
    assert "deny-list" in caplog.text


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 21, 15, 30, 5, 123456),  # as SQLite returns it
        datetime(2026, 11, 21, 15, 30, 5, 123456, tzinfo=UTC),  # as PostgreSQL does
        datetime(2026, 11, 21, 23, 30, 5, 123456, tzinfo=timezone(timedelta(hours=8))),
    ],
)
def test_the_countdown_gets_the_same_utc_time_from_either_database(moment):
    assert utc_iso(moment) == "2026-11-21T15:30:05.123Z"
