"""Log-ins that can be revoked: the session token in every log-in cookie.

Logging out, changing the password and "sign out everywhere" (one's own
button, an admin's, ``flask users signout``) replace the token, so a
cookie copied before stops working; the CSRF token is new after log-in.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from tests.web.classroom_client import PASSWORD, QUICK_HASH, Browser, Teacher
from tests.web.study_client import hidden

NEW_PASSWORD = "a much longer passphrase"


def copy_of(browser: Browser) -> Browser:
    """Another browser holding a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = Browser(browser.app)
    thief.client.set_cookie("session", browser.client.get_cookie("session").value)
    return thief


def logged_in(browser: Browser) -> bool:
    response = browser.get("/classroom/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def token_of(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.session_token).where(User.name == name))


def csrf(browser: Browser, path: str = "/auth/account") -> str:
    return hidden(browser.text(path), "csrf_token")


def change_password(browser: Browser, current: str = PASSWORD, new: str = NEW_PASSWORD, again=None):
    return browser.post(
        "/auth/account/password",
        {
            "csrf_token": csrf(browser),
            "current": current,
            "new": new,
            "repeated": new if again is None else again,
        },
    )


@pytest.fixture
def teacher(app) -> Teacher:
    return Teacher.quick(app)


# A copied cookie


def test_a_copied_cookie_works_while_the_teacher_is_logged_in(teacher):
    assert logged_in(copy_of(teacher))


def test_a_copied_cookie_stops_working_when_the_teacher_logs_out(teacher):
    # The finding: a copied teacher cookie still worked after logout.
    thief = copy_of(teacher)
    response = teacher.post("/auth/logout", {"csrf_token": csrf(teacher, "/classroom/")})
    assert response.status_code == 302
    assert not logged_in(teacher)
    assert not logged_in(thief)


def test_a_copied_cookie_stops_working_after_a_password_change_in_the_browser(teacher):
    # The finding: ... and after a password change.
    thief = copy_of(teacher)
    changed = change_password(teacher)
    assert changed.status_code == 302 and changed.headers["Location"] == "/auth/account"
    assert logged_in(teacher)  # the browser that changed it goes on
    assert not logged_in(thief)
    again = Browser(teacher.app)
    assert not _log_in(again, teacher.name, PASSWORD)
    assert _log_in(again, teacher.name, NEW_PASSWORD)


def test_a_copied_cookie_stops_working_after_flask_users_password(app, teacher, monkeypatch):
    thief = copy_of(teacher)
    monkeypatch.setenv("QUIZ_USER_PASSWORD", NEW_PASSWORD)
    result = app.test_cli_runner().invoke(args=["users", "password", teacher.name])
    assert result.exit_code == 0, result.output
    assert not logged_in(teacher) and not logged_in(thief)


def test_sign_out_everywhere_on_ones_own_account_page(teacher):
    thief = copy_of(teacher)
    response = teacher.post("/auth/account/sign-out", {"csrf_token": csrf(teacher)})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert not logged_in(teacher) and not logged_in(thief)
    assert _log_in(Browser(teacher.app), teacher.name, PASSWORD)  # the password still works


def test_an_admin_signs_a_teacher_out_everywhere(app, teacher):
    thief = copy_of(teacher)
    admin = Teacher.quick(app, "ada", "admin")
    page = admin.text("/admin/users")
    assert "ms-li" in page and "ada" in page
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.name == "ms-li"))
    response = admin.post(
        f"/admin/users/{user_id}/sign-out", {"csrf_token": hidden(page, "csrf_token")}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert not logged_in(teacher) and not logged_in(thief)
    assert logged_in(admin)


def test_an_admin_signing_out_their_own_account_is_logged_out_too(app):
    admin = Teacher.quick(app, "ada", "admin")
    page = admin.text("/admin/users")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.name == "ada"))
    admin.post(f"/admin/users/{user_id}/sign-out", {"csrf_token": hidden(page, "csrf_token")})
    assert not logged_in(admin)


def test_a_teacher_may_not_sign_others_out(app, teacher):
    admin = Teacher.quick(app, "ada", "admin")
    before = token_of(app, "ada")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.name == "ada"))
    response = teacher.post(f"/admin/users/{user_id}/sign-out", {"csrf_token": csrf(teacher)})
    assert response.status_code == 403
    assert token_of(app, "ada") == before and logged_in(admin)


def test_flask_users_signout(app, teacher):
    thief = copy_of(teacher)
    result = app.test_cli_runner().invoke(args=["users", "signout", teacher.name])
    assert result.exit_code == 0, result.output
    assert "ms-li is signed out everywhere" in result.output
    assert not logged_in(teacher) and not logged_in(thief)


# What the cookie must hold


def _log_in(browser: Browser, name: str, password: str) -> bool:
    page = browser.text("/auth/login")
    response = browser.post(
        "/auth/login",
        {"csrf_token": hidden(page, "csrf_token"), "name": name, "password": password},
    )
    return response.status_code == 302


def with_user_id(teacher: Teacher, user_id: str) -> Browser:
    """A copy of ``teacher``'s session cookie, naming ``user_id`` as Flask-Login keeps it."""
    browser = copy_of(teacher)
    with browser.client.session_transaction() as session:
        session["_user_id"] = user_id
    return browser


def test_the_cookie_holds_the_id_and_the_session_token(app, teacher):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == "ms-li"))
        right, token = f"{user.id}:{user.session_token}", user.session_token
    assert len(token) >= 32
    with teacher.client.session_transaction() as session:
        assert session["_user_id"] == right
    assert logged_in(with_user_id(teacher, right))


@pytest.mark.parametrize(
    "forged",
    [
        "{id}",  # a cookie from before session tokens
        "{id}:",
        "{id}:not-the-token",
        "{id}:{token}x",
        "{arabic}:{token}",  # the same id in Arabic-Indic digits
        " {id}:{token}",
        "+{id}:{token}",
        "99999999999999999999:{token}",
    ],
)
def test_a_cookie_without_the_current_token_names_nobody(app, teacher, forged):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == "ms-li"))
        user_id, token = user.id, user.session_token
    arabic = "".join(chr(0x0660 + int(digit)) for digit in str(user_id))
    cookie_id = forged.format(id=user_id, token=token, arabic=arabic)
    assert not logged_in(with_user_id(teacher, cookie_id))


# The CSRF token rotates at log-in


def test_a_csrf_token_seen_before_log_in_is_refused_after_it(app):
    # The finding: the CSRF token was not rotated at log-in.
    with app.app_context():
        db.session.add(User(name="ms-li", role="teacher", password_hash=QUICK_HASH))
        db.session.commit()
    browser = Browser(app)
    before = csrf(browser, "/auth/login")
    response = browser.post(
        "/auth/login", {"csrf_token": before, "name": "ms-li", "password": PASSWORD}
    )
    assert response.status_code == 302
    after = csrf(browser)
    assert after != before
    # A form forged with the token seen before log-in: refused, nothing done.
    token = token_of(app, "ms-li")
    refused = browser.post("/auth/account/sign-out", {"csrf_token": before})
    assert refused.status_code == 400
    assert token_of(app, "ms-li") == token and logged_in(browser)
    # The page's own token works.
    assert browser.post("/auth/account/sign-out", {"csrf_token": after}).status_code == 302
    assert token_of(app, "ms-li") != token


# The account page


def test_the_account_page_needs_a_log_in(app):
    visitor = Browser(app)
    response = visitor.get("/auth/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    token = csrf(visitor, "/auth/login")
    for path in ("/auth/account/password", "/auth/account/sign-out"):
        response = visitor.post(path, {"csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_the_account_forms_need_their_csrf_token(app, teacher):
    token = token_of(app, "ms-li")
    for path in ("/auth/account/password", "/auth/account/sign-out"):
        data = {"current": PASSWORD, "new": NEW_PASSWORD, "repeated": NEW_PASSWORD}
        assert teacher.post(path, data).status_code == 400
        assert teacher.post(path, {**data, "csrf_token": "made-up"}).status_code == 400
    assert token_of(app, "ms-li") == token and logged_in(teacher)


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not it", NEW_PASSWORD, None, "That is not your current password."),
        (PASSWORD, "short", None, "At least 8 characters."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The two new passwords differ."),
    ],
)
def test_a_refused_password_change_changes_nothing(app, teacher, current, new, again, message):
    token = token_of(app, "ms-li")
    copy = copy_of(teacher)
    response = change_password(teacher, current, new, again)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert token_of(app, "ms-li") == token and logged_in(copy)


def test_the_header_links_to_ones_account(teacher):
    assert 'href="/auth/account"' in teacher.text("/classroom/")
