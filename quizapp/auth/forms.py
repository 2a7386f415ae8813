"""The log-in form, and the forms of a staff member's own account."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quizapp.fields import PageForm
from quizapp.services.accounts import MIN_PASSWORD_LENGTH


class LoginForm(PageForm):
    """Name and password."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class LogoutForm(PageForm):
    """Only the CSRF token: logging out is a POST."""


class PasswordChangeForm(PageForm):
    """The current password, and the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=256,
                message=_l("At least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    repeated = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new", message=_l("The two new passwords differ.")),
        ],
    )


class SignOutForm(PageForm):
    """Only the CSRF token: "sign out everywhere" is a POST."""
