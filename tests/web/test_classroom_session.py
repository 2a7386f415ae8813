"""Whole classroom sessions through HTTP: a teacher and a class of students,
from the lobby to the exported CSV, with nothing leaked and every count exact."""

import csv
import io
import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import ClassSession, SessionItem
from quizapp.models.content import utcnow
from quizapp.services import classroom as sessions
from quizapp.services.banks import add_version
from quizapp.services.classroom import DEADLINE_GRACE
from quizapp.services.content import offered_banks
from tests.answers import right_values, secrets_of, wrong_values
from tests.conftest import QUESTIONS, shipped_bank_size
from tests.web.classroom_client import Student, Teacher
from tests.web.study_client import EN, hidden

ZH = {"Accept-Language": "zh"}
STARTER_SIZE = shipped_bank_size("starter")


@pytest.fixture
def teacher(app, runner):
    """A logged-in teacher, with the starter bank imported."""
    result = runner.invoke(args=["quiz", "import", str(QUESTIONS / "starter.yaml")])
    assert result.exit_code == 0, result.output
    return Teacher.quick(app)


def make_class(teacher: Teacher, size: int, headers=EN, names="S{:02d}", **options):
    """A session with ``size`` students joined: (public id, students)."""
    public_id = teacher.create(**options)
    code = teacher.code(public_id)
    students = []
    for number in range(1, size + 1):
        student = Student(teacher.app, headers)
        response = student.join(code, names.format(number))
        assert response.status_code == 302, response.get_data(as_text=True)
        students.append(student)
    return public_id, students


def question_ids(teacher: Teacher, positions) -> list[str]:
    """Version ids of the starter questions at ``positions``, from the new-session form."""
    offered = re.findall(r'name="questions" id="question-(\d+)"', teacher.text("/classroom/new"))
    assert len(offered) == STARTER_SIZE
    return [offered[position] for position in positions]


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', page)


def answer_count(host_page: str) -> str:
    return " ".join(re.search(r'<p class="answer-count">(.*?)</p>', host_page, re.S)[1].split())


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# The teacher-paced flow, page by page


def test_the_lobby_shows_the_code_the_qr_code_and_who_has_joined(teacher):
    public_id, students = make_class(teacher, 2, names="小明{}")
    code = teacher.code(public_id)
    host = main_part(teacher.host(public_id))
    assert '<p class="join-code"' in host and f">{code[:3]} {code[3:]}</p>" in host
    assert f"http://localhost/play/{code}" in host
    assert f'src="/classroom/{public_id}/qr.svg"' in host
    assert "2 students have joined" in host and "小明1" in host and "小明2" in host
    qr = teacher.get(f"/classroom/{public_id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.get_data()
    assert "Wait for your teacher to start." in students[0].page()


def test_every_device_gets_the_question_when_the_teacher_starts(teacher):
    public_id, students = make_class(teacher, 3)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    host = main_part(teacher.host(public_id))
    assert str(escape(content["prompt"]["en"])) in host
    assert "0 of 3 students have answered." in answer_count(host)
    for student in students:
        page = main_part(student.page())
        assert str(escape(content["prompt"]["en"])) in page
        assert all(str(escape(c["text"]["en"])) in page for c in content["choices"])
        assert hidden(page, "position") == "0" and hidden(page, "round") == "1"


def test_an_answered_question_says_recorded_and_reveals_nothing_yet(teacher):
    public_id, [ann] = make_class(teacher, 1)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    ann.answer(right_values(content))
    page = main_part(ann.page())
    assert "Your answer is recorded." in flashes(page) and "Answer recorded" in page
    assert "Wait for the teacher to close question 1" in page
    assert_reveals_nothing(page, content, "answered")


def test_a_closed_question_shows_each_student_their_result_and_the_evidence(teacher):
    public_id, [right, wrong, silent] = make_class(teacher, 3)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    right.answer(right_values(content))
    wrong.answer(wrong_values(content))
    teacher.act(public_id, "close")
    explanation = str(escape(content["explanation"]["en"]))
    pages = {name: main_part(s.page()) for name, s in (("r", right), ("w", wrong), ("s", silent))}
    assert "Right." in pages["r"] and "Points for this question: 1" in pages["r"]
    assert "Not right." in pages["w"] and "Points for this question: 0" in pages["w"]
    assert "You did not answer this question." in pages["s"]
    [correct] = [c for c in content["choices"] if c["id"] == content["answer"]]
    for page in pages.values():
        assert re.search(
            rf'<li class="correct[^"]*">\s*<span class="choice-text">'
            rf"{re.escape(str(escape(correct['text']['en'])))}</span>",
            page,
        )
        assert explanation in page
        assert content["sources"][0]["exact"] in page
        assert re.search(r'href="/sources/[a-z0-9-]+\?passage=\d+#passage-\d+"', page)


def test_the_projector_shows_the_distribution_the_answer_and_the_source_after_closing(teacher):
    public_id, students = make_class(teacher, 3)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    open_host = main_part(teacher.host(public_id))
    assert "tag-correct" not in open_host and "explanation" not in open_host
    for student, values in zip(students, (right_values, wrong_values, wrong_values), strict=True):
        student.answer(values(content))
    teacher.act(public_id, "close")
    host = main_part(teacher.host(public_id))
    bars = re.findall(
        r'<li class="(correct|)[^"]*">.*?<span class="bar-count"><span data-count[^>]*>(\d+)',
        host,
        re.S,
    )
    assert sorted(bars) == [("", "0"), ("", "2"), ("correct", "1")]
    assert "3 answers" in host and "33% right" in host
    assert str(escape(content["explanation"]["en"])) in host
    assert content["sources"][0]["exact"] in host


def test_vote_again_opens_a_second_round_and_the_projector_shows_the_shift(teacher):
    public_id, students = make_class(teacher, 3)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    for student in students:
        student.answer(wrong_values(content))
    teacher.act(public_id, "discuss")
    teacher.act(public_id, "again")
    page = main_part(students[0].page())
    assert "Vote again" in page and hidden(page, "round") == "2"
    assert "explanation" not in page and "Right." not in page
    for student in students[:2]:
        student.answer(right_values(content))
    teacher.act(public_id, "close")
    host = main_part(teacher.host(public_id))
    [right_bar] = re.findall(
        r'<li class="correct[^"]*">.*?<span class="bar-count">(.*?)</span>\s*</li>', host, re.S
    )
    right_bar = re.sub(r"<[^>]+>", "", right_bar)
    assert right_bar.startswith("2 ") and "(first vote: 0)" in right_bar
    assert "first vote: 3" in host  # the wrong choice everyone picked at first
    assert 'id="control-again"' not in host  # one second round only
    rounds = Counter((a.round, a.points) for a in teacher.answers(public_id))
    assert rounds == {(1, 0.0): 3, (2, 0.0): 2}  # the second vote scores nothing


def test_next_moves_every_device_to_the_next_question(teacher):
    public_id, students = make_class(teacher, 2)
    teacher.act(public_id, "start")
    teacher.act(public_id, "close")
    teacher.act(public_id, "next")
    content = teacher.content(public_id, 1)
    for student in students:
        page = main_part(student.page())
        assert hidden(page, "position") == "1" and f"Question 2 of {STARTER_SIZE}" in page
        assert str(escape(content["prompt"]["en"])) in page
    assert f"Question 2 of {STARTER_SIZE}" in teacher.host(public_id)


def play_to_the_end(teacher: Teacher, public_id: str, students: list[Student], count: int):
    """Teacher-paced: student ``n`` answers the first ``n`` questions right, the rest wrong."""
    teacher.act(public_id, "start")
    for position in range(count):
        content = teacher.content(public_id, position)
        for number, student in enumerate(students):
            values = right_values(content) if position < number else wrong_values(content)
            student.answer(values)
        teacher.act(public_id, "close")
        teacher.act(public_id, "next")
    assert teacher.session(public_id).phase == "finished"


def test_the_final_results_show_the_leaderboard_when_it_is_on(teacher):
    public_id, students = make_class(teacher, 3, questions=question_ids(teacher, [0, 1, 2]))
    play_to_the_end(teacher, public_id, students, 3)
    host = main_part(teacher.host(public_id))
    assert "The session has ended" in host
    board = re.findall(
        r'<li value="\d+">.*?<span class="nickname">(\w+)</span> — (\d+) points?</li>', host, re.S
    )
    assert board == [("S03", "2"), ("S02", "1"), ("S01", "0")]
    page = main_part(students[2].page())
    assert "Leaderboard" in page and "Your points: 2" in page
    assert re.search(r'<li value="1" class="me">.*?S03 — 2', page, re.S)
    assert "Leaderboard" in teacher.text(f"/classroom/{public_id}/results")


def test_without_the_leaderboard_no_student_or_projector_page_shows_one(teacher):
    public_id, students = make_class(
        teacher, 3, questions=question_ids(teacher, [0, 1, 2]), leaderboard=False
    )
    play_to_the_end(teacher, public_id, students, 3)
    for student in students:
        page = main_part(student.page())
        assert "The session has ended" in page and "Your points:" in page
        assert "Leaderboard" not in page and "leaderboard" not in page
        others = [f"S{n:02d}" for n in range(1, 4) if f"You are S{n:02d}" not in page]
        assert len(others) == 2 and not any(name in page for name in others)
    host = main_part(teacher.host(public_id))
    assert "The session has ended" in host and "leaderboard" not in host.lower()


# "Everyone has answered" counts players


def test_the_projector_counts_players_who_answered_never_answers(teacher):
    public_id, [twice, reloaded, last] = make_class(teacher, 3)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    assert answer_count(teacher.host(public_id)) == "0 of 3 students have answered."
    form = twice.form()
    twice.answer(right_values(content), form=form)
    twice.answer(right_values(content), form=form)
    assert answer_count(teacher.host(public_id)) == "1 of 3 students have answered."
    form = reloaded.form()
    reloaded.answer(wrong_values(content), form=form)
    reloaded.page()
    reloaded.answer(right_values(content), form=form)  # the old form, after a reload
    assert answer_count(teacher.host(public_id)) == "2 of 3 students have answered."
    last.answer(right_values(content))
    assert answer_count(teacher.host(public_id)) == "Everyone has answered (3 of 3)."
    assert len(teacher.answers(public_id)) == 3


def test_removed_players_are_not_counted(teacher):
    public_id, [gone, stays, _waits] = make_class(teacher, 3)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    gone.answer(right_values(content))
    stays.answer(right_values(content))
    assert answer_count(teacher.host(public_id)) == "2 of 3 students have answered."
    teacher.remove(public_id, teacher.players(public_id)[0].id)
    host = main_part(teacher.host(public_id))
    assert answer_count(host) == "1 of 2 students have answered."
    assert "S01" not in host and "2 students" in host


# Nothing reveals an answer before the question closes


HIDDEN_INPUT = re.compile(r'<input[^>]*type="hidden"[^>]*>')
LIVE_ATTRIBUTES = {
    "data-live-state",
    "data-live-version",
    "data-live-interval",
    "data-live-wait",
    "data-live-submit",
    "data-live-offline",
    "data-live-keep",
    "data-live-announce",
    "data-answer-keys",
    "data-closes-at",
    "data-duration-s",
    "data-local",
    "data-seconds",
    "data-offline",
    "data-online",
    "data-one-tap",
    "data-undo-s",
    "data-undo-bar",
    "data-undo",
    "data-undo-seconds",
    "data-confidence-step",
    "data-confidence",
    "data-live-fresh",
}

#: What the interface says only once a question is marked (English, Chinese).
REVEALING_WORDS = (
    "Right.",
    "Not right.",
    "Partly right.",
    "Correct answer",
    "Read it in the article",
    "答对了。",
    "答错了。",
    "部分正确。",
    "正确答案",
    "在原文中阅读",
)


def assert_reveals_nothing(body: str, content: dict, where: str):
    """``body`` (any response a student got) gives away nothing of ``content``'s answer."""
    # Random tokens (CSRF) can contain a short answer such as "FTC" by chance.
    visible = HIDDEN_INPUT.sub("", body)
    for secret in secrets_of(content):
        assert secret not in visible, (where, content["prompt"]["en"], secret)
    # Tags and attributes, not text; choice ids (the inputs' values) are
    # names of choices, shown to every device alike.
    markup = re.sub(r'value="[^"]*"', "", " ".join(re.findall(r"<[^>]+>", visible))).lower()
    for marker in ("correct", "verdict", "picked", "explanation", "evidence", "feedback"):
        assert marker not in markup, (where, marker)
    assert set(re.findall(r"data-[a-z-]+", markup)) <= LIVE_ATTRIBUTES, where
    for word in REVEALING_WORDS:
        assert word not in visible, (where, word)
    blocks = re.findall(
        r'<div class="choice">\s*<input type="(?:radio|checkbox)" name="answer".*?</div>',
        visible,
        re.S,
    )
    if blocks:
        if content["type"] in ("single", "multiple"):
            assert len(blocks) == len(content["choices"]), where
        # Apart from the id, value and label (and which one the student
        # ticked, or the first being "required"), every choice is marked up alike.
        shapes = {
            " ".join(
                re.sub(
                    r'(id|value|for)="[^"]*"|<label[^>]*>.*?</label>|\s(required|checked)'
                    r'|<span class="key key-hint" aria-hidden="true">\d</span>',  # its number
                    "",
                    block,
                ).split()
            )
            for block in blocks
        }
        assert len(shapes) == 1, (where, shapes)
    # Tiles (one tap, or ticked): alike apart from the value, the colour and
    # shape of the choice's place on the projector, and the label.
    tiles = re.findall(
        r'<button type="submit" name="answer".*?</button>|<label class="tile .*?</label>',
        visible,
        re.S,
    )
    alike = {
        " ".join(
            re.sub(
                r'value="[^"]*"|tint-\d|<path d="[^"]*"/>|<span class="tile-text">.*?</span></(button|label)>|\schecked',
                "",
                tile,
                flags=re.S,
            ).split()
        )
        for tile in tiles
    }
    assert len(alike) <= 1, (where, alike)


def press(teacher: Teacher, public_id: str, token: str, action: str):
    """A control button, with a CSRF token from an earlier projector page."""
    revision = teacher.session(public_id).revision
    response = teacher.post(
        f"/classroom/{public_id}/control",
        {"csrf_token": token, "action": action, "revision": revision},
    )
    assert response.status_code == 302
    return response


def play_while_recording(teacher, public_id, students, count):
    """Run ``count`` teacher-paced questions; return, per position, what the
    students received while it was open. Students answer right, wrong, twice,
    without an answer, with a stale form, or not at all, and peek at URLs."""
    token = hidden(teacher.host(public_id), "csrf_token")
    received_while_open = []
    press(teacher, public_id, token, "start")
    for position in range(count):
        content = teacher.content(public_id, position)
        marks = [len(student.received) for student in students]
        right, wrong, idle = students
        right.state()
        form = right.form()
        right.answer([], form=form)  # forgot to choose: the question again, 422
        right.answer(right_values(content), form=form)
        right.answer(right_values(content), form=form)  # a double click
        right.page()
        wrong.answer(wrong_values(content), form=dict(wrong.form(), csrf_token="stale"))
        wrong.answer(wrong_values(content))
        wrong.state("0")
        idle.page()
        idle.state()
        idle.review(position + 1)  # the review URL, before the question closes
        idle.get(f"/play/s/{public_id}/state", headers={"Accept": "application/json"})
        # The votes are in and the class discusses: still nothing of the key.
        press(teacher, public_id, token, "discuss")
        for student in students:
            student.page()
        idle.review(position + 1)
        received_while_open.append(
            [
                response
                for student, mark in zip(students, marks, strict=True)
                for response in student.received[mark:]
            ]
        )
        press(teacher, public_id, token, "reveal")
        right.page()  # now it may reveal: not recorded as "while open"
        press(teacher, public_id, token, "next")
    assert teacher.session(public_id).phase == "finished"
    assert len(teacher.answers(public_id)) == 2 * count
    return received_while_open


def test_no_student_receives_an_answer_before_the_question_closes(teacher):
    public_id, students = make_class(teacher, 3)
    received = play_while_recording(teacher, public_id, students, STARTER_SIZE)
    for position, responses in enumerate(received):
        content = teacher.content(public_id, position)
        assert len(responses) == 19
        assert any(content["prompt"]["en"] in escape_free(body) for _p, _s, body in responses)
        for path, status, body in responses:
            assert_reveals_nothing(body, content, f"{position}: {status} {path}")


def escape_free(body: str) -> str:
    """``body`` with the entities our templates write turned back into text."""
    return (
        body.replace("&#39;", "'")
        .replace("&#34;", '"')
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )


def test_no_question_of_any_shipped_bank_leaks_in_either_language(imported, shipped):
    # One session of every shipped question: a student reading English
    # answers each right, one reading Chinese answers each wrong. The
    # teacher's buttons are pressed through the service here (the projector
    # loads every question per request; its controls are exercised above).
    teacher = Teacher.quick(imported)
    with imported.app_context():
        # Every bank a session may ask (the check's forms are kept for the check).
        banks = [summary.bank.slug for summary in offered_banks()]
    public_id = teacher.create(banks=banks)
    code = teacher.code(public_id)
    english, chinese = Student(imported, EN), Student(imported, ZH)
    english.join(code, "Ann")
    chinese.join(code, "小明")
    count = item_count(imported, public_id)
    advance(imported, public_id, sessions.start)
    types = Counter()
    for position in range(count):
        content = teacher.content(public_id, position)
        types[content["type"]] += 1
        marks = len(english.received), len(chinese.received)
        english.answer(right_values(content))
        chinese.state()
        chinese.answer(wrong_values(content))
        for student, mark, language in ((english, marks[0], "en"), (chinese, marks[1], "zh")):
            responses = student.received[mark:]
            assert any(content["prompt"][language] in escape_free(b) for _p, _s, b in responses)
            for path, status, body in responses:
                assert_reveals_nothing(body, content, f"{language} {position}: {status} {path}")
        advance(imported, public_id, sessions.discuss)
        for student, language in ((english, "en"), (chinese, "zh")):
            mark = len(student.received)
            student.page()  # the votes shown for discussion: still no key
            for path, _status, body in student.received[mark:]:
                assert_reveals_nothing(body, content, f"{language} {position} voted: {path}")
        advance(imported, public_id, sessions.reveal)
        advance(imported, public_id, sessions.next_question)
    assert teacher.session(public_id).phase == "finished"
    assert count == sum(len(bank.questions) for bank in shipped.banks if bank.slug in banks)
    assert len(teacher.answers(public_id)) == 2 * count
    assert set(types) == {"single", "multiple", "true_false", "claim", "numeric", "short_text"}


def advance(app, public_id: str, action) -> None:
    """The teacher's ``action`` (a classroom service), as the control button calls it."""
    with app.app_context():
        action(sessions.session_by_public_id(public_id), None)


def item_count(app, public_id: str) -> int:
    """How many questions the session asks."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(SessionItem)
            .join(ClassSession)
            .where(ClassSession.public_id == public_id)
        )


def test_the_leak_check_catches_a_page_that_reveals_the_answer(teacher):
    public_id, [ann] = make_class(teacher, 1)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    ann.answer(wrong_values(content))
    teacher.act(public_id, "close")
    with pytest.raises(AssertionError):
        assert_reveals_nothing(ann.page(), content, "closed page")


def test_a_student_paced_student_receives_no_answer_before_giving_it(teacher):
    public_id, students = make_class(teacher, 2, pacing="student")
    teacher.act(public_id, "start")
    before = {student: {} for student in students}  # position → what it had received
    for position in range(STARTER_SIZE):
        content = teacher.content(public_id, position)
        for student, values in zip(students, (right_values, wrong_values), strict=True):
            student.state()
            student.review(position + 1)  # peeking at the review of the question ahead
            page = student.page()
            assert hidden(page, "position") == str(position)
            assert_reveals_nothing(page, content, f"question page {position}")
            before[student][position] = len(student.received)
            response = student.answer(values(content))
            feedback = f"/play/s/{public_id}/{position + 1}?notice=recorded"
            assert response.headers["Location"] == feedback
            student.get(response.headers["Location"])  # its feedback, revealing it
    for student in students:
        for position, mark in before[student].items():
            content = teacher.content(public_id, position)
            for path, _status, body in student.received[:mark]:
                visible = HIDDEN_INPUT.sub("", body)
                for secret in secrets_of(content):
                    assert secret not in visible, (position, path, secret)
    assert len(teacher.answers(public_id)) == 2 * STARTER_SIZE


# Student-paced sessions


def test_student_paced_students_get_self_study_feedback_at_their_own_pace(teacher):
    public_id, [quick, slow] = make_class(teacher, 2, pacing="student")
    teacher.act(public_id, "start")
    first, second = teacher.content(public_id, 0), teacher.content(public_id, 1)
    response = quick.answer(right_values(first))
    feedback = main_part(quick.text(response.headers["Location"]))
    assert "Right." in feedback and "Mark: 1 of 1" in feedback
    assert str(escape(first["explanation"]["en"])) in feedback
    assert first["sources"][0]["exact"] in feedback and "Read it in the article" in feedback
    assert re.search(r'href="/sources/[a-z0-9-]+\?passage=\d+#passage-\d+"', feedback)
    assert f'href="/play/s/{public_id}">' in feedback and "Next question" in feedback
    response = quick.answer(wrong_values(second))
    assert "Not right." in quick.text(response.headers["Location"])
    assert hidden(quick.page(), "position") == "2"
    assert hidden(slow.page(), "position") == "0"  # the other student has not started


def test_a_student_paced_answer_to_a_later_question_is_refused(teacher):
    public_id, [ann] = make_class(teacher, 1, pacing="student")
    teacher.act(public_id, "start")
    form = dict(ann.form(), position="3")
    response = ann.answer(right_values(teacher.content(public_id, 3)), form=form)
    assert response.headers["Location"] == f"/play/s/{public_id}"
    assert "That answer was not recorded: answer the questions in order." in ann.page()
    assert teacher.answers(public_id) == []


def grid_rows(page: str) -> dict[str, tuple[list[str], str, str]]:
    """The live grid: nickname → (cell kinds, right, points)."""
    grid = page[page.index('<table class="grid">') :]
    grid = grid[: grid.index("</table>")]
    rows = {}
    for name, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', grid, re.S):
        kinds = re.findall(r'<td class="cell-(\w+)">', cells)
        totals = re.findall(r"<td>([^<]*)</td>", cells)
        rows[name] = (kinds, *totals)
    return rows


def test_the_projector_shows_a_live_grid_of_students_and_questions(teacher):
    public_id, [ann, bob, _cat] = make_class(teacher, 3, pacing="student")
    teacher.act(public_id, "start")
    version = teacher.host_state(public_id).get_json()["version"]
    ann.answer(right_values(teacher.content(public_id, 0)))
    ann.answer(right_values(teacher.content(public_id, 1)))
    bob.answer(wrong_values(teacher.content(public_id, 0)))
    assert teacher.host_state(public_id, version).status_code == 200  # the grid changed
    host = main_part(teacher.host(public_id))
    assert "Students are working" in host
    rows = grid_rows(host)
    waiting = ["waiting"] * (STARTER_SIZE - 2)
    assert rows["S01"] == (["right", "right", *waiting], "2", "2")
    assert rows["S02"] == (["wrong", "waiting", *waiting], "0", "0")
    assert rows["S03"] == (["waiting", "waiting", *waiting], "0", "0")
    assert len(rows) == 3


def test_answers_after_the_teacher_ends_a_student_paced_session_are_late(teacher):
    public_id, [ann] = make_class(teacher, 1, pacing="student")
    teacher.act(public_id, "start")
    ann.answer(right_values(teacher.content(public_id, 0)))
    form = ann.form()
    teacher.act(public_id, "finish")
    ann.answer(right_values(teacher.content(public_id, 1)), form=form)
    page = main_part(ann.page())
    assert "Too late: the question had closed" in page and "The session has ended" in page
    assert [a.position for a in teacher.answers(public_id)] == [0]
    assert "The session has ended" in teacher.host(public_id)


def test_a_passed_deadline_ends_a_student_paced_session(teacher):
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    public_id, [ann] = make_class(teacher, 1, pacing="student", deadline=tomorrow)
    teacher.act(public_id, "start")
    assert "Deadline:" in ann.page()
    form = ann.form()
    version = ann.state().get_json()["version"]
    teacher.set_closes_at(public_id, utcnow() - DEADLINE_GRACE - timedelta(seconds=1))
    assert ann.state(version).status_code == 200  # the poll itself settles it
    assert teacher.session(public_id).phase == "finished"
    assert teacher.session(public_id).code is None
    assert "The session has ended" in ann.page()
    ann.answer(right_values(teacher.content(public_id, 0)), form=form)
    assert "Too late" in ann.page() and teacher.answers(public_id) == []
    assert "The session has ended" in teacher.host(public_id)


# A class of fifty


def test_a_class_of_fifty_with_refreshes_double_submits_and_late_answers_adds_up(teacher):
    rng = random.Random(50)
    positions = [0, 1, 6, 8, 9]  # single, true/false, numeric, multiple, short text
    ids = question_ids(teacher, positions)
    public_id, students = make_class(teacher, 50, questions=ids)
    players = teacher.players(public_id)
    assert [p.nickname for p in players] == [f"S{n:02d}" for n in range(1, 51)]
    teacher.act(public_id, "start")
    in_time = []  # per question: {student index: answered right}
    for position in range(len(positions)):
        content = teacher.content(public_id, position)
        order = rng.sample(range(50), 50)
        late, silent, doubles = set(order[:5]), set(order[5:7]), set(order[7:17])
        refreshes = set(order[12:27])  # some of them double-submit too
        forms = [student.form() for student in students]
        answered = {}
        for number in order:
            student = students[number]
            if number in late | silent:
                continue
            if number in refreshes:
                forms[number] = student.form()
            right = rng.random() < 0.6
            values = right_values(content) if right else wrong_values(content)
            assert student.answer(values, form=forms[number]).status_code == 302
            if number in doubles:
                student.answer(wrong_values(content), form=forms[number])
                assert "your first answer stands" in student.page()
            elif number in refreshes:
                assert "Answer recorded" in student.page()
            answered[number] = right
        assert answer_count(teacher.host(public_id)) == "43 of 50 students have answered."
        teacher.act(public_id, "close")
        for number in late:
            students[number].answer(right_values(content), form=forms[number])
            assert "Too late" in students[number].page()
        host = main_part(teacher.host(public_id))
        assert "43 answers" in host
        share = round(100 * sum(answered.values()) / 43)
        assert f"{share}% right" in host
        in_time.append(answered)
        teacher.act(public_id, "next")
    assert teacher.session(public_id).phase == "finished"

    stored = teacher.answers(public_id)
    assert len(stored) == 43 * len(positions) and {a.round for a in stored} == {1}
    for position, answered in enumerate(in_time):
        rows = [a for a in stored if a.position == position]
        assert sorted(a.player_id for a in rows) == sorted(players[n].id for n in answered)
        assert sum(a.points for a in rows) == sum(answered.values())

    expected = {
        f"S{n + 1:02d}": (
            sum(answered.get(n, False) for answered in in_time),
            sum(n in answered for answered in in_time),
        )
        for n in range(50)
    }
    results = main_part(teacher.text(f"/classroom/{public_id}/results"))
    table = re.findall(
        r'<tr><th scope="row">(S\d\d)</th>\s*<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', results
    )
    assert len(table) == 50
    assert {name: (int(right), int(answers)) for name, _p, right, answers in table} == expected
    assert all(points == right for _n, points, right, _a in table)
    assert "50 students" in results

    rows = csv_rows(teacher.get(f"/classroom/{public_id}/students.csv"))
    assert len(rows) == 51 and rows[0][:4] == ["Nickname", "Points", "Right", "Answered"]
    assert {row[0]: (int(row[2]), int(row[3])) for row in rows[1:]} == expected
    for row in rows[1:]:
        number = int(row[0][1:]) - 1
        expected_cells = [
            ("right" if answered[number] else "wrong") if number in answered else "no answer"
            for answered in in_time
        ]
        assert [cell.lower() for cell in row[7:]] == expected_cells


# Live updates of the projector


def test_the_projector_state_changes_when_a_student_joins_or_answers(teacher):
    public_id, [ann] = make_class(teacher, 1)
    version = teacher.host_state(public_id).get_json()["version"]
    assert teacher.host_state(public_id, version).status_code == 304
    bob = Student(teacher.app)
    bob.join(teacher.code(public_id), "Bob")
    joined = teacher.host_state(public_id, version)
    assert joined.status_code == 200 and "Bob" in teacher.host(public_id)
    version = joined.get_json()["version"]
    teacher.act(public_id, "start")
    started = teacher.host_state(public_id, version)
    assert started.status_code == 200
    version = started.get_json()["version"]
    assert teacher.host_state(public_id, version).status_code == 304
    ann.answer(right_values(teacher.content(public_id, 0)))
    answered = teacher.host_state(public_id, version)
    assert answered.status_code == 200
    assert f'data-live-version="{answered.get_json()["version"]}"' in teacher.host(public_id)
    assert "1 of 2 students have answered." in teacher.host(public_id)


# Results as CSV


@pytest.fixture
def finished_session(teacher):
    """Three questions, the first voted on twice; students 小明, Ann and Ｂｏｂ."""
    public_id, students = make_class(teacher, 0, questions=question_ids(teacher, [0, 1, 2]))
    code = teacher.code(public_id)
    for nickname in ("小明", "Ann", "Ｂｏｂ"):
        student = Student(teacher.app)
        student.join(code, nickname)
        students.append(student)
    teacher.act(public_id, "start")
    for position in range(3):
        content = teacher.content(public_id, position)
        students[0].answer(right_values(content))
        students[1].answer(wrong_values(content))
        teacher.act(public_id, "discuss" if position == 0 else "close")
        if position == 0:
            teacher.act(public_id, "again")
            students[1].answer(right_values(content))
            teacher.act(public_id, "close")
        teacher.act(public_id, "next")
    return teacher, public_id


@pytest.mark.parametrize("kind", ["students", "questions"])
def test_the_csv_files_are_utf8_attachments_with_a_bom(finished_session, kind):
    teacher, public_id = finished_session
    response = teacher.get(f"/classroom/{public_id}/{kind}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{public_id[:8]}-{kind}.csv"'
    )
    assert response.get_data().startswith("\ufeff".encode())


def test_the_students_csv_has_one_row_per_student_with_chinese_names_intact(finished_session):
    teacher, public_id = finished_session
    rows = csv_rows(teacher.get(f"/classroom/{public_id}/students.csv"))
    assert rows[0] == [
        "Nickname", "Points", "Right", "Answered", "Absent", "Time (s)", "Removed", "Q1", "Q2", "Q3"
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) == 4 and set(by_name) == {"小明", "Ann", "Bob"}  # NFKC: Ｂｏｂ is Bob
    assert by_name["小明"][1:5] == ["3", "3", "3", "0"]
    assert by_name["Ann"][1:5] == ["0", "0", "3", "0"]  # the second vote does not score
    assert by_name["Bob"][7:] == ["no answer"] * 3


def test_the_questions_csv_has_one_row_per_question_and_round(finished_session):
    teacher, public_id = finished_session
    rows = csv_rows(teacher.get(f"/classroom/{public_id}/questions.csv"))
    assert rows[0] == ["#", "Question", "Round", "Answered", "Share right", "Answers"]
    assert [(row[0], row[2], row[3], row[4]) for row in rows[1:]] == [
        ("1", "1", "2", "50%"),
        ("1", "2", "1", "100%"),
        ("2", "1", "2", "50%"),
        ("3", "1", "2", "50%"),
    ]
    assert rows[1][1] == teacher.content(public_id, 0)["prompt"]["en"]
    assert "✓: 1" in rows[1][5]
    chinese = Teacher(teacher.app, headers=ZH, create=False)
    zh_rows = csv_rows(chinese.get(f"/classroom/{public_id}/questions.csv"))
    assert zh_rows[1][1] == teacher.content(public_id, 0)["prompt"]["zh"]


# Languages per device


def test_the_projector_and_each_student_use_their_own_language(teacher):
    public_id, [english] = make_class(teacher, 1)
    chinese = Student(teacher.app, ZH)
    chinese.join(teacher.code(public_id), "小明")
    projector = Teacher(teacher.app, headers=ZH, create=False)
    teacher.act(public_id, "start")
    content = teacher.content(public_id, 0)
    host = main_part(projector.host(public_id))
    assert content["prompt"]["zh"] in host and "students have answered" not in host
    assert str(escape(content["prompt"]["en"])) in english.page()
    assert content["prompt"]["zh"] in chinese.page()
    assert str(escape(content["prompt"]["en"])) not in chinese.page()


# Results keep the version that was asked


def test_results_show_the_version_students_answered_after_an_admin_edits_it(teacher):
    public_id, students = make_class(teacher, 2, questions=question_ids(teacher, [0]))
    play_to_the_end(teacher, public_id, students, 1)
    with teacher.app.app_context():
        item = db.session.scalar(
            select(SessionItem).filter_by(session_id=teacher.session(public_id).id)
        )
        asked = item.question_version
        old_prompt = asked.content["prompt"]["en"]
        question = asked.question
        edited = dict(asked.content, prompt={"zh": "改过的题干", "en": "An edited prompt"})
        add_version(question, edited, [c.passage for c in asked.citations], "editor")
        db.session.commit()
    results = teacher.text(f"/classroom/{public_id}/results")
    assert str(escape(old_prompt)) in results
    assert "An edited prompt" not in results
