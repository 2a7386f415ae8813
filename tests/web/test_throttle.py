"""Throttling: log-ins, join codes, joins per session and answers, counted in
the database that every worker shares (see quizapp/throttle.py).

The rest of the suite runs with throttling off (tests/conftest.py); these
tests turn it on, on SQLite and on the PostgreSQL leg alike.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from quizapp import create_app, throttle
from quizapp.extensions import db
from quizapp.models import Player, RateLimitCounter, User
from quizapp.services import rate_limits
from tests.answers import right_values
from tests.conftest import QUESTIONS, TEST_DATABASE_URL, database_url, end_other_connections
from tests.web.classroom_client import PASSWORD, QUICK_HASH, Browser, Student, Teacher
from tests.web.study_client import hidden

ZH = {"Accept-Language": "zh"}
JSON = {"Accept-Language": "en", "Accept": "application/json"}


class Clock:
    """The counters' clock, moved by hand: windows pass without waiting."""

    def __init__(self, start: float = 1_900_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(rate_limits, "clock", moved)
    return moved


@pytest.fixture
def worker(app_factory, tmp_path):
    """Build one more app (a gunicorn worker) on the throttled app's database."""
    return lambda **limits: app_factory(database_url(tmp_path), QUIZ_THROTTLE=True, **limits)


@pytest.fixture
def limits():
    """Limits the test sets for its throttled app (the defaults otherwise)."""
    return {}


@pytest.fixture
def throttled(app_factory, tmp_path, limits):
    """An application with throttling on, empty tables and the starter bank."""
    application = app_factory(database_url(tmp_path), QUIZ_THROTTLE=True, **limits)
    with application.app_context():
        if TEST_DATABASE_URL:
            end_other_connections()
        db.drop_all()
        db.create_all()
    result = application.test_cli_runner().invoke(
        args=["quiz", "import", str(QUESTIONS / "starter.yaml")]
    )
    assert result.exit_code == 0, result.output
    return application


def add_teacher(app, name: str = "ms-li", role: str = "teacher") -> None:
    """An account with a quick hash of PASSWORD (not logged in)."""
    with app.app_context():
        db.session.add(User(name=name, role=role, password_hash=QUICK_HASH))
        db.session.commit()


def log_in(browser: Browser, name: str, password: str):
    page = browser.text("/auth/login")
    return browser.post(
        "/auth/login",
        {"csrf_token": hidden(page, "csrf_token"), "name": name, "password": password},
    )


def logged_in(browser: Browser) -> bool:
    return browser.get("/classroom/").status_code == 200


def retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def counters(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RateLimitCounter))


# Log-in: failures per account, back-off, per address


def test_after_five_wrong_passwords_even_the_right_one_is_refused(throttled, clock):
    # The finding: 200 wrong passwords in 24 s, then the right one accepted.
    add_teacher(throttled)
    guesser = Browser(throttled)
    statuses = [log_in(guesser, "ms-li", f"guess {n}").status_code for n in range(200)]
    assert statuses == [422] * 5 + [429] * 195
    refused = log_in(guesser, "ms-li", PASSWORD)
    assert refused.status_code == 429
    assert 1 <= retry_after(refused) <= 60
    assert "Too many wrong passwords" in refused.get_data(as_text=True)
    assert not logged_in(guesser)
    # Once the minute has passed, the right password works.
    clock.advance(61)
    assert log_in(guesser, "ms-li", PASSWORD).status_code == 302
    assert logged_in(guesser)


def test_the_account_stays_locked_from_another_address_too(throttled, clock):
    add_teacher(throttled)
    guesser = Browser(throttled)
    for n in range(5):
        log_in(guesser, "ms-li", f"guess {n}")
    teacher = Browser(throttled)
    teacher.client.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert log_in(teacher, "ms-li", PASSWORD).status_code == 429


def test_successful_log_ins_are_not_counted(throttled, clock):
    add_teacher(throttled)
    teacher = Browser(throttled)
    for _ in range(12):
        assert log_in(teacher, "ms-li", PASSWORD).status_code == 302
        page = teacher.text("/classroom/")
        teacher.post("/auth/logout", {"csrf_token": hidden(page, "csrf_token")})
    assert log_in(teacher, "ms-li", "wrong").status_code == 422


def test_flask_users_unlock_lets_the_teacher_in_at_once(throttled, clock):
    add_teacher(throttled)
    add_teacher(throttled, "mr_wu")
    guesser = Browser(throttled)
    for name in ("ms-li", "mr_wu"):
        for _ in range(5):
            log_in(guesser, name, "x")
    result = throttled.test_cli_runner().invoke(args=["users", "unlock", "ms-li"])
    assert result.exit_code == 0, result.output
    assert "ms-li: 3 counter(s) of failed log-ins cleared" in result.output
    teacher = Browser(throttled)
    teacher.client.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert log_in(teacher, "ms-li", PASSWORD).status_code == 302
    assert log_in(Browser(throttled), "mr_wu", PASSWORD).status_code == 429


def test_an_admin_sees_a_locked_account_and_unlocks_it(throttled, clock):
    add_teacher(throttled)
    add_teacher(throttled, "mr_wu")
    add_teacher(throttled, "root", role="admin")
    admin = Browser(throttled)
    admin.client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert log_in(admin, "root", PASSWORD).status_code == 302
    page = admin.text("/admin/users")
    assert "Unlock (ms-li)" not in page
    guesser = Browser(throttled)
    for name in ("ms-li", "mr_wu"):
        for _ in range(5):
            log_in(guesser, name, "x")
    page = admin.text("/admin/users")
    assert "Unlock (ms-li)" in page and "Unlock (mr_wu)" in page
    with throttled.app_context():
        ms_li = db.session.scalar(select(User).where(User.name == "ms-li"))
    response = admin.post(
        f"/admin/users/{ms_li.id}/unlock", {"csrf_token": hidden(page, "csrf_token")}
    )
    assert response.status_code == 302
    assert "Unlock (ms-li)" not in admin.text("/admin/users")
    teacher = Browser(throttled)
    teacher.client.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert log_in(teacher, "ms-li", PASSWORD).status_code == 302
    assert log_in(Browser(throttled), "mr_wu", PASSWORD).status_code == 429


def test_failures_back_off_from_minutes_to_an_hour(throttled, clock):
    add_teacher(throttled)
    guesser = Browser(throttled)
    for _minute in range(4):  # 5 a minute for 4 minutes: the 20 an hour are used up
        assert [log_in(guesser, "ms-li", "x").status_code for _ in range(6)] == [422] * 5 + [429]
        clock.advance(61)
    refused = log_in(guesser, "ms-li", PASSWORD)
    assert refused.status_code == 429
    # The hour's window began with the first failure, four minutes ago.
    assert 3600 - 4 * 61 <= retry_after(refused) <= 3600 - 4 * 61 + 1
    clock.advance(3600)
    assert log_in(guesser, "ms-li", PASSWORD).status_code == 302


@pytest.mark.parametrize("limits", [{"QUIZ_LIMIT_LOGIN_ADDRESS": "3 per minute"}])
def test_one_address_trying_many_names_is_limited(throttled, clock):
    guesser = Browser(throttled)
    assert [log_in(guesser, name, "x").status_code for name in "abc"] == [422] * 3
    assert log_in(guesser, "d", "x").status_code == 429
    add_teacher(throttled)
    elsewhere = Browser(throttled)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert log_in(elsewhere, "ms-li", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "limits", [{"QUIZ_LIMIT_LOGIN_ADDRESS": "3 per minute", "QUIZ_PROXY_HOPS": 1}]
)
def test_behind_a_proxy_each_forwarded_client_is_counted_apart(throttled, clock):
    first, second = Browser(throttled), Browser(throttled)
    first.headers = {**first.headers, "X-Forwarded-For": "203.0.113.1"}
    second.headers = {**second.headers, "X-Forwarded-For": "203.0.113.2"}
    assert [log_in(first, name, "x").status_code for name in "abcd"] == [422] * 3 + [429]
    assert log_in(second, "e", "x").status_code == 422


def test_a_key_longer_than_the_column_is_counted_under_its_digest(throttled, clock):
    long_key = "LIMITER/account:" + "名" * 300 + "/login-account/5/1/minute"
    with throttled.app_context():
        assert [rate_limits.hit(long_key, 60) for _ in range(3)] == [1, 2, 3]
        assert rate_limits.window(long_key)[0] == 3
        keys = db.session.scalars(select(RateLimitCounter.key)).all()
    assert len(keys) == 1 and keys[0].startswith("sha256:") and len(keys[0]) <= 255


def test_wrong_current_passwords_on_the_account_page_count_as_failed_log_ins(throttled, clock):
    add_teacher(throttled)
    teacher = Browser(throttled)
    assert log_in(teacher, "ms-li", PASSWORD).status_code == 302
    statuses = []
    for _ in range(6):
        page = teacher.text("/auth/account")
        statuses.append(
            teacher.post(
                "/auth/account/password",
                {
                    "csrf_token": hidden(page, "csrf_token"),
                    "current": "not it",
                    "new": "a new password",
                    "repeated": "a new password",
                },
            ).status_code
        )
    assert statuses == [422] * 5 + [429]


# Join codes per address


def make_session(app, **options) -> tuple[Teacher, str, str]:
    teacher = Teacher.quick(app)
    public_id = teacher.create(**options)
    return teacher, public_id, teacher.code(public_id)


def join_all(app, code: str, names) -> list[int]:
    """Each name joins from a browser of its own."""
    return [Student(app).join(code, name).status_code for name in names]


def wrong_code(code: str, n: int) -> str:
    return f"{(int(code) + 1 + n) % 1_000_000:06d}"


def test_wrong_codes_from_one_address_are_refused_after_twenty(throttled, clock):
    # The finding: 356 join-code guesses per second.
    teacher, public_id, code = make_session(throttled)
    guesser = Student(throttled)
    statuses = [guesser.join(wrong_code(code, n), f"G{n}").status_code for n in range(40)]
    assert statuses == [422] * 20 + [429] * 20
    # The right code too, from that address, until the minute has passed.
    assert guesser.join(code, "Guesser").status_code == 429
    # Another address joins as usual.
    student = Student(throttled)
    student.client.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert student.join(code, "Ann").status_code == 302
    clock.advance(61)
    assert guesser.join(code, "Guesser").status_code == 302
    assert [p.nickname for p in teacher.players(public_id)] == ["Ann", "Guesser"]


@pytest.mark.parametrize("limits", [{"QUIZ_LIMIT_JOIN_CODE": "3 per minute"}])
def test_codes_in_the_join_link_are_counted_too(throttled, clock):
    _teacher, _public_id, code = make_session(throttled)
    guesser = Student(throttled)
    statuses = [guesser.get(f"/play/{wrong_code(code, n)}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert guesser.get(f"/play/{code}").status_code == 429


@pytest.mark.parametrize("limits", [{"QUIZ_LIMIT_JOIN_CODE": "3 per minute"}])
def test_a_class_behind_one_address_joining_with_the_right_code_is_not_counted(throttled, clock):
    teacher, public_id, code = make_session(throttled)
    for n in range(10):
        assert Student(throttled).join(code, f"S{n}").status_code == 302
    # Typos other than a wrong code (a nickname taken) are not counted either.
    assert [Student(throttled).join(code, "S1").status_code for _ in range(5)] == [422] * 5
    assert len(teacher.players(public_id)) == 10


# Joins per session: the teacher's cap


def test_the_default_cap_stops_bots_at_two_hundred_players(app, clock):
    # The finding: 1,000 bot players joined one session in 8.3 s. The cap
    # is the teacher's setting: it holds with throttling off, as here.
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(QUESTIONS / "starter.yaml")])
    assert result.exit_code == 0, result.output
    teacher, public_id, code = make_session(app)
    assert join_all(app, code, [f"Bot{n}" for n in range(200)]) == [302] * 200
    refused = Student(app).join(code, "Bot201")
    assert refused.status_code == 422
    assert "This session is full" in refused.get_data(as_text=True)
    assert len(teacher.players(public_id)) == 200


def test_the_teacher_sets_the_cap_and_joins_beyond_it_are_refused(throttled, clock):
    teacher, public_id, code = make_session(throttled, max_players="3")
    assert join_all(throttled, code, ["Ann", "Bo", "Cy"]) == [302] * 3
    refused = Student(throttled).join(code, "Di")
    assert refused.status_code == 422
    assert "This session is full: the teacher set how many students may join." in (
        refused.get_data(as_text=True)
    )
    assert [p.nickname for p in teacher.players(public_id)] == ["Ann", "Bo", "Cy"]


def test_a_player_already_in_comes_back_whatever_the_cap(throttled, clock):
    teacher, public_id, code = make_session(throttled, max_players="1")
    ann = Student(throttled)
    assert ann.join(code, "Ann").status_code == 302
    assert Student(throttled).join(code, "Bo").status_code == 422
    assert ann.join(code, "").status_code == 302  # the tab was closed; the code again
    assert [p.nickname for p in teacher.players(public_id)] == ["Ann"]


def test_a_refused_nickname_takes_no_place(throttled, clock):
    teacher, public_id, code = make_session(throttled, max_players="2")
    assert join_all(throttled, code, ["Ann", "Ann", "ann", "Bo"]) == [302, 422, 422, 302]
    assert [p.nickname for p in teacher.players(public_id)] == ["Ann", "Bo"]


@pytest.mark.parametrize("cap", ["0", "2001", "many", "٣"])
def test_the_cap_must_be_a_whole_number_from_1_to_2000(throttled, cap):
    teacher = Teacher.quick(throttled)
    page = teacher.text("/classroom/new")
    assert 'name="max_players"' in page and 'value="200"' in page
    refused = teacher.post(
        "/classroom/new",
        {
            "csrf_token": hidden(page, "csrf_token"),
            "token": hidden(page, "token"),
            "banks": ["starter"],
            "pacing": "teacher",
            "time_limit": "None",
            "scoring": "plain",
            "nicknames": "free",
            "max_players": cap,
        },
    )
    assert refused.status_code == 422


def test_concurrent_joins_never_pass_the_cap(throttled, worker, clock):
    _teacher, _public_id, code = make_session(throttled, max_players="5")
    apps = [throttled, worker()]
    statuses = []

    def join(n):
        statuses.append(Student(apps[n % 2]).join(code, f"P{n}").status_code)

    threads = [threading.Thread(target=join, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] * 5 + [422] * 11
    with throttled.app_context():
        joined = db.session.scalar(select(func.count()).select_from(Player))
    assert joined == 5


# Answers per player


@pytest.mark.parametrize("limits", [{"QUIZ_LIMIT_ANSWERS": "3 per minute"}])
def test_answers_that_record_nothing_are_limited_for_that_player_only(throttled, clock):
    teacher, public_id, code = make_session(throttled, pacing="student")
    teacher.act(public_id, "start")
    ann, bo = Student(throttled), Student(throttled)
    assert ann.join(code, "Ann").status_code == 302
    assert bo.join(code, "Bo").status_code == 302
    # Recorded answers are not counted: one per question is all there can be.
    for n in range(4):
        assert ann.answer(right_values(teacher.content(public_id, n))).status_code == 302
    # The same answer sent again and again (a script's flood) is.
    first = right_values(teacher.content(public_id, 0))
    form = {**ann.form(), "position": "0"}
    statuses = [ann.answer(first, form=form).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Empty answers (refused) count too; another player is not limited.
    assert ann.answer([], form=ann.form()).status_code == 429
    assert bo.answer(first).status_code == 302
    assert len(teacher.answers(public_id)) == 5
    # A new answer is still recorded: a player records one per question at most.
    assert ann.answer(right_values(teacher.content(public_id, 4))).status_code == 302
    assert len(teacher.answers(public_id)) == 6
    clock.advance(61)
    assert ann.answer(first, form=form).status_code == 302


def test_the_answer_limit_is_generous():
    assert throttle.LIMITS["QUIZ_LIMIT_ANSWERS"] == "60 per minute"


# Shared by every worker


def test_two_workers_count_the_same_failures(throttled, worker, clock):
    add_teacher(throttled)
    first = Browser(throttled)
    assert [log_in(first, "ms-li", "x").status_code for _ in range(3)] == [422] * 3
    # A second worker starts (in one process, its limiter replaces the
    # first's storage object: only counts kept in the database carry over).
    second = Browser(worker())
    assert [log_in(second, "ms-li", "x").status_code for _ in range(2)] == [422] * 2
    assert log_in(first, "ms-li", PASSWORD).status_code == 429
    assert log_in(second, "ms-li", PASSWORD).status_code == 429


def test_two_workers_share_a_sessions_cap(throttled, worker, clock):
    _teacher, _public_id, code = make_session(throttled, max_players="3")
    other = worker()
    assert join_all(throttled, code, ["Ann"]) == [302]
    assert join_all(other, code, ["Bo", "Cy"]) == [302, 302]
    assert join_all(throttled, code, ["Di"]) == [422]
    assert join_all(other, code, ["Ed"]) == [422]


# The 429 answer


def test_a_throttled_json_client_gets_json_with_retry_after(throttled, clock):
    add_teacher(throttled)
    guesser = Browser(throttled, JSON)
    for _ in range(5):
        log_in(guesser, "ms-li", "x")
    refused = log_in(guesser, "ms-li", "x")
    assert refused.status_code == 429 and refused.is_json
    assert 1 <= retry_after(refused) <= 60
    body = refused.get_json()
    assert body["error"] == "Too many attempts"
    assert body["message"].startswith("Too many wrong passwords for this account")
    assert "Try again in" in body["message"]


def test_the_429_page_speaks_the_visitors_language(throttled, clock):
    add_teacher(throttled)
    guesser = Browser(throttled, ZH)
    for _ in range(5):
        log_in(guesser, "ms-li", "x")
    refused = log_in(guesser, "ms-li", "x")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and retry_after(refused) >= 1
    assert "尝试次数过多" in page and "密码错误次数过多。请在" in page
    assert "Too many" not in page


# The counters table


def test_counting_does_not_touch_the_requests_transaction(throttled, clock):
    with throttled.app_context():
        db.session.add(User(name="pending", role="teacher", password_hash=QUICK_HASH))
        assert rate_limits.hit("some-key", 60) == 1
        assert rate_limits.hit("some-key", 60) == 2
        db.session.rollback()
        assert db.session.scalar(select(User).where(User.name == "pending")) is None
        assert rate_limits.window("some-key") == (2, clock.now + 60)


def test_a_window_that_ended_starts_again(throttled, clock):
    with throttled.app_context():
        assert [rate_limits.hit("k", 60) for _ in range(3)] == [1, 2, 3]
        clock.advance(60)
        assert rate_limits.window("k") == (0, None)
        assert rate_limits.hit("k", 60) == 1


def test_ended_windows_are_deleted_now_and_then(throttled, clock):
    add_teacher(throttled)
    guesser = Browser(throttled)
    for name in ("a", "b", "c"):
        log_in(guesser, name, "x")
    # Per account (three names) and per address, three tiers each.
    assert counters(throttled) == 3 * 3 + 3
    clock.advance(2 * 86400)
    log_in(guesser, "d", "x")
    assert counters(throttled) == 3 + 3  # only the windows just begun


def test_limits_that_do_not_parse_stop_the_app_at_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(ValueError, match="QUIZ_LIMIT_ANSWERS"):
        create_app({"SQLALCHEMY_DATABASE_URI": url, "QUIZ_LIMIT_ANSWERS": "lots"}, str(tmp_path))
    with pytest.raises(ValueError, match="QUIZ_LIMIT_LOGIN_ACOUNT: no such limit"):
        create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "QUIZ_LIMIT_LOGIN_ACOUNT": "1/minute"}, str(tmp_path)
        )
