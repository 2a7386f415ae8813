"""Who may see and change classroom sessions: log-in, ownership, CSRF.

The route checks are driven by the application's URL map, so a teacher
route added later is checked without anyone remembering to list it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from quizapp.extensions import db
from quizapp.models import ClassSession, Player, PlayerAnswer, User
from tests.answers import right_values
from tests.web.classroom_client import PASSWORD, Browser, Student, Teacher, make_user
from tests.web.study_client import hidden

#: The teacher routes as of this writing: the URL map must still have them all.
KNOWN_ENDPOINTS = {
    "classroom.dashboard",
    "classroom.new",
    "classroom.host",
    "classroom.host_state",
    "classroom.control",
    "classroom.moderate",
    "classroom.present",
    "classroom.remote",
    "classroom.remark",
    "classroom.archive",
    "classroom.delete",
    "classroom.qr_code",
    "classroom.results",
    "classroom.students_export",
    "classroom.questions_export",
    "classroom.run_again",
    "classroom.analysis",
    "classroom.analysis_export",
}
#: Cheap to check (one PBKDF2 round): these tests log in many times and do
#: not test hashing; the log-in tests below use a real scrypt hash.
QUICK_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


def make_teacher(app, name: str) -> Teacher:
    """A logged-in teacher whose account has a cheap hash."""
    with app.app_context():
        db.session.add(User(name=name, role="teacher", password_hash=QUICK_HASH))
        db.session.commit()
    return Teacher(app, name, create=False)


def csrf_of(browser: Browser, path: str = "/auth/login") -> str:
    """A valid CSRF token of this browser's session."""
    return hidden(browser.text(path), "csrf_token")


def logged_in(browser: Browser) -> bool:
    return browser.get("/classroom/").status_code == 200


def state(app) -> tuple:
    """Everything a teacher route could change."""
    with app.app_context():
        return (
            db.session.execute(
                select(ClassSession.id, ClassSession.phase, ClassSession.revision).order_by(
                    ClassSession.id
                )
            ).all(),
            db.session.execute(select(Player.id, Player.removed_at).order_by(Player.id)).all(),
            db.session.scalar(select(func.count()).select_from(PlayerAnswer)),
        )


def teacher_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("classroom.")]
    assert {rule.endpoint for rule in rules} >= KNOWN_ENDPOINTS
    return rules


@dataclass
class Lesson:
    """A teacher's session in its lobby with one player, and another teacher."""

    owner: Teacher
    other: Teacher
    public_id: str
    player_id: int


@pytest.fixture
def lesson(imported) -> Lesson:
    owner = make_teacher(imported, "ms-li")
    other = make_teacher(imported, "mr-wang")
    public_id = owner.create(title="Ms Li's lesson")
    student = Student(imported)
    assert student.join(owner.code(public_id), "Ann").status_code == 302
    (player,) = owner.players(public_id)
    return Lesson(owner, other, public_id, player.id)


def path_of(rule, lesson: Lesson) -> str:
    values = {"public_id": lesson.public_id, "player_id": lesson.player_id, "kind": "items"}
    values = {**(rule.defaults or {}), **values}  # a rule's own fixed values
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.rule}: give this test a value for {unknown}"
    return rule.build({name: values[name] for name in rule.arguments})[1]


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def owner_form(endpoint: str, lesson: Lesson) -> dict:
    """What the owner's page would post to ``endpoint`` (CSRF token added by the caller)."""
    revision = lesson.owner.session(lesson.public_id).revision
    page = lesson.owner.text("/classroom/new")
    forms = {
        "classroom.control": {"action": "start", "revision": revision},
        "classroom.moderate": {"action": "remove"},
        "classroom.remark": {"position": "0", "key": "x", "mark": "right"},
        # Bringing back a session that is not archived: harmless to repeat.
        "classroom.archive": {"archived": "0"},
        # A wrong title: the confirmation refuses it, nothing is deleted.
        "classroom.delete": {"confirm": "not the title"},
        "classroom.run_again": {"token": "run-again-1"},
        "classroom.new": {
            "token": hidden(page, "token"),
            "banks": ["starter"],
            "pacing": "teacher",
            "time_limit": "None",
            "scoring": "plain",
            "nicknames": "free",
        },
    }
    assert endpoint in forms, f"{endpoint}: add what its form posts to owner_form()"
    return forms[endpoint]


# Every teacher route


def test_every_teacher_route_sends_an_anonymous_visitor_to_log_in(imported, lesson):
    before = state(imported)
    visitor = Browser(imported)
    token = csrf_of(visitor)
    problems = []
    for rule in teacher_rules(imported):
        path = path_of(rule, lesson)
        for method in methods_of(rule):
            if method == "GET":
                response = visitor.get(path)
            else:
                data = {"csrf_token": token, **owner_form(rule.endpoint, lesson)}
                response = visitor.post(path, data)
            location = urlsplit(response.headers.get("Location", ""))
            if response.status_code != 302 or location.path != "/auth/login":
                problems.append((method, path, response.status_code, location.path))
    assert problems == []
    assert state(imported) == before


def test_every_route_of_a_session_is_not_found_for_another_teacher(imported, lesson):
    before = state(imported)
    token = csrf_of(lesson.other, "/classroom/")
    problems = []
    for rule in teacher_rules(imported):
        if "public_id" not in rule.arguments:
            continue
        path = path_of(rule, lesson)
        for method in methods_of(rule):
            if method == "GET":
                response = lesson.other.get(path)
            else:
                data = {"csrf_token": token, **owner_form(rule.endpoint, lesson)}
                response = lesson.other.post(path, data)
            if response.status_code != 404:
                problems.append((method, path, response.status_code))
    assert problems == []
    assert state(imported) == before


def test_every_teacher_route_answers_the_sessions_owner(imported, lesson):
    token = csrf_of(lesson.owner, "/classroom/")
    problems = []
    rules = teacher_rules(imported)
    # GETs first: a POST (finish, remove) may change what a GET shows.
    for method in ("GET", "POST"):
        for rule in rules:
            if method not in methods_of(rule):
                continue
            path = path_of(rule, lesson)
            if method == "GET":
                response = lesson.owner.get(path)
                expected = {200}
            else:
                data = {"csrf_token": token, **owner_form(rule.endpoint, lesson)}
                response = lesson.owner.post(path, data)
                # A wrong confirmation of "delete" is refused (422) in the
                # lobby, and once started the session cannot be deleted (302).
                expected = {302, 422} if rule.endpoint == "classroom.delete" else {302}
            if response.status_code not in expected:
                problems.append((method, path, response.status_code))
    assert problems == []
    session = lesson.owner.session(lesson.public_id)
    assert session.phase == "open"  # the owner's "start" went through
    assert [p.removed_at is not None for p in lesson.owner.players(lesson.public_id)] == [True]


def test_the_state_of_another_teachers_session_is_not_found_even_when_polled(lesson):
    response = lesson.other.get(
        f"/classroom/{lesson.public_id}/state", headers={"If-None-Match": '"1.1.0"'}
    )
    assert response.status_code == 404


def test_a_teacher_sees_only_their_own_sessions_on_the_dashboard(imported, lesson):
    theirs = lesson.other.create(title="Mr Wang's lesson")
    mine = lesson.owner.text("/classroom/")
    assert "Ms Li&#39;s lesson" in mine and lesson.public_id in mine
    assert "Mr Wang" not in mine and theirs not in mine
    other_page = lesson.other.text("/classroom/")
    assert theirs in other_page and lesson.public_id not in other_page


# Logging in and out


@pytest.fixture
def ms_li(app) -> str:
    """A teacher account with a real (scrypt) password hash; returns its name."""
    make_user(app, "ms-li")
    return "ms-li"


def log_in(browser: Browser, name: str, password: str, path: str = "/auth/login"):
    """Fill in the log-in form served at ``path`` as a browser would, hidden fields included."""
    page = browser.text(path)
    form = page[page.index('<form method="post" class="stacked-form"') :]
    data = {"csrf_token": hidden(form, "csrf_token"), "next": hidden(form, "next")}
    return browser.post("/auth/login", {**data, "name": name, "password": password})


def test_a_teacher_logs_in_and_reaches_the_dashboard(app, ms_li):
    browser = Browser(app)
    response = log_in(browser, ms_li, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/classroom/"
    assert logged_in(browser)


def test_a_wrong_password_is_refused_and_logs_nobody_in(app, ms_li):
    browser = Browser(app)
    response = log_in(browser, ms_li, "wrong horse battery")
    assert response.status_code == 422
    assert "Wrong name or password." in response.get_data(as_text=True)
    assert not logged_in(browser)


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(app, ms_li):
    browser = Browser(app)
    unknown = log_in(browser, "nobody", PASSWORD)
    wrong = log_in(browser, ms_li, "wrong horse battery")
    assert unknown.status_code == wrong.status_code == 422

    def message(response) -> list[str]:
        return re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]*)<', response.get_data(as_text=True))

    assert message(unknown) == message(wrong) and "Wrong name or password." in message(wrong)
    assert not logged_in(browser)


def test_an_inactive_teacher_cannot_log_in(app, ms_li):
    with app.app_context():
        db.session.scalar(select(User).where(User.name == ms_li)).active = False
        db.session.commit()
    browser = Browser(app)
    response = log_in(browser, ms_li, PASSWORD)
    assert response.status_code == 422 and not logged_in(browser)


def test_a_teacher_made_inactive_while_logged_in_is_let_in_no_more(app, ms_li):
    browser = Browser(app)
    log_in(browser, ms_li, PASSWORD)
    assert logged_in(browser)
    with app.app_context():
        db.session.scalar(select(User).where(User.name == ms_li)).active = False
        db.session.commit()
    assert not logged_in(browser)


def test_log_in_returns_to_the_page_asked_for(app, ms_li):
    browser = Browser(app)
    redirect = browser.get("/classroom/new")
    assert redirect.headers["Location"] == "/auth/login?next=/classroom/new"
    response = log_in(browser, ms_li, PASSWORD, redirect.headers["Location"])
    assert response.headers["Location"] == "/classroom/new"


def test_a_form_sent_after_being_signed_out_comes_back_to_its_page_not_its_action(app, ms_li):
    # A projector left open while its teacher was signed out elsewhere: the
    # next button pressed posts to /control, an address that answers only POST.
    browser = Browser(app)
    page = "/classroom/0123456789abcdef0123456789abcdef?x=1"
    token = hidden(browser.text("/"), "csrf_token")
    redirect = browser.client.post(
        "/classroom/0123456789abcdef0123456789abcdef/control",
        data={"csrf_token": token, "action": "close"},
        headers={"Referer": "http://localhost" + page},
    )
    assert redirect.headers["Location"] == "/auth/login?next=" + quote(page, safe="/?")
    # A poll comes back to the page that polled; from another site, to the dashboard.
    redirect = browser.client.get(
        "/classroom/0123456789abcdef0123456789abcdef/state",
        headers={"Referer": "http://evil.example/classroom/"},
    )
    assert redirect.headers["Location"] == "/auth/login"
    response = log_in(browser, ms_li, PASSWORD, redirect.headers["Location"])
    assert response.headers["Location"] == "/classroom/"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example/",
        "http:/evil.example/",
        "javascript:alert(1)",
    ],
)
def test_log_in_never_redirects_off_site(app, ms_li, target):
    browser = Browser(app)
    page = browser.text("/auth/login")
    response = browser.post(
        "/auth/login",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "name": ms_li,
            "password": PASSWORD,
            "next": target,
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert not location.netloc and not location.scheme
    assert location.path.startswith("/") and not location.path.startswith(("//", "/\\"))


def test_log_out_is_a_post_with_its_csrf_token(app, ms_li):
    browser = Browser(app)
    log_in(browser, ms_li, PASSWORD)
    assert browser.get("/auth/logout").status_code == 405
    assert browser.post("/auth/logout", {}).status_code == 400
    assert logged_in(browser)
    response = browser.post("/auth/logout", {"csrf_token": csrf_of(browser, "/classroom/")})
    assert response.status_code == 302 and not logged_in(browser)


def test_log_in_without_its_csrf_token_is_refused(app, ms_li):
    browser = Browser(app)
    response = browser.post("/auth/login", {"name": ms_li, "password": PASSWORD})
    assert response.status_code == 400 and not logged_in(browser)


# CSRF on the classroom forms: CSRF stays on in these tests (as in production)


def test_csrf_protection_is_on_in_these_tests(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.fixture
def started(imported, lesson):
    """The lesson started, its student on the first question; returns (lesson, student)."""
    student = Student(imported)
    assert student.join(lesson.owner.code(lesson.public_id), "Bo").status_code == 302
    assert lesson.owner.act(lesson.public_id, "start").status_code == 302
    return lesson, student


@pytest.mark.parametrize("token", [None, "made-up", "from-another-browser"])
def test_a_control_button_without_a_valid_token_changes_nothing(imported, lesson, token):
    before = state(imported)
    data = {"action": "start", "revision": lesson.owner.session(lesson.public_id).revision}
    if token == "from-another-browser":
        data["csrf_token"] = csrf_of(lesson.other, "/classroom/")
    elif token:
        data["csrf_token"] = token
    response = lesson.owner.post(f"/classroom/{lesson.public_id}/control", data)
    assert response.status_code == 400
    assert state(imported) == before


def test_removing_a_player_without_a_token_changes_nothing(imported, lesson):
    before = state(imported)
    response = lesson.owner.post(
        f"/classroom/{lesson.public_id}/players/{lesson.player_id}", {"action": "remove"}
    )
    assert response.status_code == 400 and state(imported) == before


def test_creating_a_session_without_a_token_creates_nothing(imported, lesson):
    before = state(imported)
    page = lesson.owner.text("/classroom/new")
    response = lesson.owner.post(
        "/classroom/new",
        {
            "token": hidden(page, "token"),
            "banks": ["starter"],
            "pacing": "teacher",
            "time_limit": "None",
            "scoring": "plain",
            "nicknames": "free",
        },
    )
    assert response.status_code == 400 and state(imported) == before


def test_running_a_session_again_without_a_token_creates_nothing(imported, lesson):
    before = state(imported)
    response = lesson.owner.post(f"/classroom/{lesson.public_id}/again", {"token": "t"})
    assert response.status_code == 400 and state(imported) == before


def test_joining_without_a_token_adds_no_player(imported, lesson):
    before = state(imported)
    student = Student(imported)
    student.text("/play/")  # has a session, not the form's token
    code = lesson.owner.code(lesson.public_id)
    response = student.post("/play/", {"code": code, "nickname": "Cy"})
    assert response.status_code == 400 and state(imported) == before


def test_an_answer_without_a_token_is_not_recorded(imported, started):
    lesson, student = started
    before = state(imported)
    form = student.form()
    del form["csrf_token"]
    values = right_values(lesson.owner.content(lesson.public_id, 0))
    response = student.answer(values, form=form)
    assert response.status_code == 400 and state(imported) == before
    # With its token, the same answer goes through: the refusal was the token's.
    assert student.answer(values).status_code == 302
    assert state(imported)[2] == before[2] + 1
