"""The flask users commands: staff accounts, passwords never given as an argument."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import User

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def no_password_in_the_environment(monkeypatch):
    """Tests start with no password variable, whatever the shell running them has."""
    monkeypatch.delenv("QUIZ_USER_PASSWORD", raising=False)


def stored_user(app, name: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        if user is not None:
            db.session.expunge(user)
        return user


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_create_takes_the_password_from_the_environment(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", "ms-li", "--role", "teacher"])
    assert result.exit_code == 0, result.output
    assert "created teacher ms-li" in result.output
    user = stored_user(app, "ms-li")
    assert user.role == "teacher" and user.active


def test_create_asks_for_the_password_twice_without_showing_it(app, runner):
    result = runner.invoke(
        args=["users", "create", "mr-wang", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output
    assert stored_user(app, "mr-wang").role == "admin"


def test_the_role_defaults_to_teacher(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    assert runner.invoke(args=["users", "create", "ms-li"]).exit_code == 0
    assert stored_user(app, "ms-li").role == "teacher"


def test_the_password_is_stored_hashed(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "ms-li"])
    user = stored_user(app, "ms-li")
    assert user.password_hash != PASSWORD and PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "!")


def test_two_prompted_passwords_that_differ_create_nothing(app, runner):
    result = runner.invoke(args=["users", "create", "ms-li"], input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert user_count(app) == 0


def test_a_short_password_is_refused(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", "short")
    result = runner.invoke(args=["users", "create", "ms-li"])
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert user_count(app) == 0


def test_a_short_prompted_password_is_refused(app, runner):
    result = runner.invoke(args=["users", "create", "ms-li"], input="pw\npw\n")
    assert result.exit_code == 1 and user_count(app) == 0


def test_a_name_in_use_is_refused(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    assert runner.invoke(args=["users", "create", "ms-li"]).exit_code == 0
    monkeypatch.setenv("QUIZ_USER_PASSWORD", "another password")
    result = runner.invoke(args=["users", "create", "ms-li", "--role", "admin"])
    assert result.exit_code == 1 and "already exists" in result.output
    user = stored_user(app, "ms-li")
    assert user.role == "teacher" and user.check_password(PASSWORD)
    assert user_count(app) == 1


@pytest.mark.parametrize("role", ["student", "root", "Admin"])
def test_an_unknown_role_is_refused(app, runner, monkeypatch, role):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", "ms-li", "--role", role])
    assert result.exit_code == 2 and "--role" in result.output
    assert user_count(app) == 0


@pytest.mark.parametrize("name", ["   ", "x" * 65])
def test_a_blank_or_overlong_name_is_refused(app, runner, monkeypatch, name):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", name])
    assert result.exit_code == 1 and "1 to 64 characters" in result.output
    assert user_count(app) == 0


@pytest.mark.parametrize("command", ["create", "password"])
def test_the_password_is_never_accepted_as_an_argument(app, runner, command):
    result = runner.invoke(args=["users", command, "ms-li", "--password", PASSWORD])
    assert result.exit_code == 2 and "No such option" in result.output
    assert user_count(app) == 0


def test_password_changes_the_password(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "ms-li"])
    monkeypatch.delenv("QUIZ_USER_PASSWORD")
    result = runner.invoke(
        args=["users", "password", "ms-li"], input="a new long password\na new long password\n"
    )
    assert result.exit_code == 0, result.output
    assert "password changed for ms-li" in result.output
    user = stored_user(app, "ms-li")
    assert user.check_password("a new long password") and not user.check_password(PASSWORD)


def test_password_signs_the_account_out_everywhere(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "ms-li"])
    token = stored_user(app, "ms-li").session_token
    monkeypatch.setenv("QUIZ_USER_PASSWORD", "a new long password")
    result = runner.invoke(args=["users", "password", "ms-li"])
    assert "every browser logged in as ms-li is signed out" in result.output
    assert stored_user(app, "ms-li").session_token not in ("", token)


def test_a_refused_password_keeps_the_log_ins(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "ms-li"])
    token = stored_user(app, "ms-li").session_token
    monkeypatch.setenv("QUIZ_USER_PASSWORD", "short")
    assert runner.invoke(args=["users", "password", "ms-li"]).exit_code == 1
    assert stored_user(app, "ms-li").session_token == token


def test_password_for_an_unknown_user_fails(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "password", "nobody"])
    assert result.exit_code == 1 and "no user named 'nobody'" in result.output
    assert user_count(app) == 0


def test_password_refuses_a_short_one_and_keeps_the_old(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "ms-li"])
    monkeypatch.setenv("QUIZ_USER_PASSWORD", "short")
    result = runner.invoke(args=["users", "password", "ms-li"])
    assert result.exit_code == 1
    assert stored_user(app, "ms-li").check_password(PASSWORD)


def test_list_shows_names_roles_and_inactive_accounts(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "zhao", "--role", "admin"])
    runner.invoke(args=["users", "create", "ms-li"])
    with app.app_context():
        db.session.scalar(select(User).where(User.name == "zhao")).active = False
        db.session.commit()
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["ms-li\tteacher", "zhao\tadmin (inactive)"]
    assert "scrypt" not in result.output


def test_list_with_no_accounts_prints_nothing(runner):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0 and result.output == ""


def test_signout_replaces_the_session_token_and_keeps_the_password(app, runner, monkeypatch):
    monkeypatch.setenv("QUIZ_USER_PASSWORD", PASSWORD)
    runner.invoke(args=["users", "create", "ms-li"])
    runner.invoke(args=["users", "create", "zhao"])
    before = {name: stored_user(app, name).session_token for name in ("ms-li", "zhao")}
    result = runner.invoke(args=["users", "signout", "ms-li"])
    assert result.exit_code == 0, result.output
    assert result.output == "ms-li is signed out everywhere\n"
    signed_out = stored_user(app, "ms-li")
    assert signed_out.session_token not in ("", before["ms-li"])
    assert signed_out.check_password(PASSWORD)
    assert stored_user(app, "zhao").session_token == before["zhao"]


def test_signout_of_an_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "signout", "nobody"])
    assert result.exit_code == 1 and "no user named 'nobody'" in result.output
