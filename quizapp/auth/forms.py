"""The log-in form."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from quizapp.fields import PageForm


class LoginForm(PageForm):
    """Name and password."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class LogoutForm(PageForm):
    """Only the CSRF token: logging out is a POST."""
