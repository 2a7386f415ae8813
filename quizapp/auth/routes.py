"""Log in and log out."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from quizapp.auth import bp
from quizapp.auth.forms import LoginForm, LogoutForm
from quizapp.extensions import db
from quizapp.main.routes import safe_next
from quizapp.models import User

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The log-in form; success goes on to the page asked for, or the dashboard."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.name == form.name.data.strip()))
        valid = (user or _DUMMY).check_password(form.password.data)
        if user is not None and valid and user.is_active:
            login_user(user)
            target = form.next.data or url_for("classroom.dashboard")
            return redirect(safe_next(target))
        form.password.errors.append(_("Wrong name or password."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out (a POST with CSRF, so a link elsewhere cannot log anyone out)."""
    if LogoutForm().validate_on_submit() and current_user.is_authenticated:
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))
