"""The staff accounts, for admins: who may log in, and signing one out everywhere.

Accounts are created and their passwords set with ``flask users`` (see
:mod:`quizapp.accounts_cli`); this page is for the moment a teacher's
laptop is lost or a cookie may have been copied.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from quizapp import throttle
from quizapp.admin import bp
from quizapp.auth.access import staff_required
from quizapp.auth.forms import SignOutForm
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.accounts import sign_out_everywhere, staff_accounts


@bp.get("/users")
@staff_required("admin")
def users():
    """Every account, each with a "Sign out everywhere" button, and "Unlock"
    for one that failed log-ins are counted against."""
    accounts = staff_accounts()
    return render_template(
        "admin/users.html",
        accounts=accounts,
        locked={account.id for account in accounts if throttle.has_failures(account.name)},
        sign_out_form=SignOutForm(formdata=None),
    )


@bp.post("/users/<int:user_id>/unlock")
@staff_required("admin")
def unlock_user(user_id: int):
    """Forget the failed log-ins counted against one account (CSRF checked
    before): a teacher a guesser locked out may log in at once."""
    user = db.get_or_404(User, user_id)
    throttle.unlock_account(user.name)
    flash(_("%(name)s may log in again now.", name=user.name), "success")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/sign-out")
@staff_required("admin")
def sign_out_user(user_id: int):
    """Make every log-in cookie of one account useless (CSRF checked before)."""
    user = db.get_or_404(User, user_id)
    oneself = user.id == current_user.id
    sign_out_everywhere(user)
    if oneself:
        logout_user()
        flash(_("You are signed out everywhere."), "info")
        return redirect(url_for("auth.login"))
    flash(_("%(name)s is signed out everywhere.", name=user.name), "success")
    return redirect(url_for(".users"))
