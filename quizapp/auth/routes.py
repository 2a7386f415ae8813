"""Log in and log out; a staff member's own account page."""

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from quizapp import throttle
from quizapp.auth import bp
from quizapp.auth.access import staff_required
from quizapp.auth.forms import LoginForm, LogoutForm, PasswordChangeForm, SignOutForm
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    change_password,
    sign_out_everywhere,
)
from quizapp.urls import safe_next

# Checked against when the name is unknown, so a wrong name takes as long
# as a wrong password and names cannot be found by timing.
_DUMMY = User(
    password_hash="scrypt:32768:8:1$BBUipDWLEpn7sDB7$1f6d18e4976aca6bf6d1485a8dc9b20ad04fafebfb"
    "dabf88f886ea1481e177c2b0cfff10ed10d10ba466a6492165f290002fd92c68b781da3a5929723456ddf4"
)


@bp.app_context_processor
def logout_button() -> dict:
    """Give every page the log-out form (shown to logged-in staff).

    A function, called by base.html: a live part, refreshed every time the
    session moves, builds no form it does not show.
    """
    # Not bound to the request: an error page for a body too large to read
    # (413) must render without reading that body.
    return {"logout_form": lambda: LogoutForm(formdata=None)}


def _new_csrf_token() -> None:
    """Forget the CSRF token: the next form gets a new one.

    At log-in, so that a token seen before (on a shared computer, or planted
    by someone who knows it) is useless to forge a logged-in teacher's forms.
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


def _log_in(user: User) -> None:
    _new_csrf_token()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@throttle.login_attempts
def login():
    """The log-in form; success goes on to the page asked for, or the dashboard."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.name == form.name.data.strip()))
        valid = (user or _DUMMY).check_password(form.password.data)
        if user is not None and valid and user.is_active:
            _log_in(user)
            return redirect(safe_next(form.next.data, fallback=url_for("classroom.dashboard")))
        throttle.failed()
        form.password.errors.append(_("Wrong name or password."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out (a POST with CSRF, so a link elsewhere cannot log anyone out).

    The session token is replaced, so a copy of this browser's cookie taken
    before (another device, a stolen cookie) is logged out too.
    """
    if LogoutForm().validate_on_submit() and current_user.is_authenticated:
        sign_out_everywhere(current_user)
        logout_user()
        _new_csrf_token()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.get("/account")
@staff_required()
def account():
    """One's own account: change the password, sign out everywhere."""
    return _account_page(PasswordChangeForm(formdata=None))


def _account_page(form: PasswordChangeForm, status: int = 200):
    page = render_template("auth/account.html", form=form, sign_out_form=SignOutForm(formdata=None))
    return page, status


@bp.post("/account/password")
@staff_required()
@throttle.password_checks
def change_own_password():
    """Change one's password; every other browser logged in as oneself is signed out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current.data, form.new.data)
        except AccountError as refused:
            if refused.code == "wrong_password":
                throttle.failed()
                form.current.errors.append(_("That is not your current password."))
            else:
                form.new.errors.append(_("At least %(min)d characters.", min=MIN_PASSWORD_LENGTH))
        else:
            _log_in(user)  # this browser goes on with the new session token
            flash(_("Your password is changed. Other browsers are signed out."), "success")
            return redirect(url_for(".account"))
    return _account_page(form, 422)


@bp.post("/account/sign-out")
@staff_required()
def sign_out_own():
    """Sign out everywhere, this browser included."""
    if SignOutForm().validate_on_submit():
        sign_out_everywhere(current_user)
        logout_user()
        _new_csrf_token()
        flash(_("You are signed out everywhere."), "info")
    return redirect(url_for(".login"))
