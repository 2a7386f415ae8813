"""Forms of classes: the teacher's and the students'. CSRF on every one."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.domain.nicknames import MAX_LENGTH
from quizapp.fields import REQUEST_TOKEN_LENGTH, PageForm
from quizapp.services.classes import CLASS_NAME_LENGTH
from quizapp.study.forms import StartForm

# --- the teacher's ----------------------------------------------------------


class NewClassForm(PageForm):
    """A class's name, with a one-time token (a double click creates one class)."""

    name = StringField(
        _l("Name of the class"),
        validators=[
            DataRequired(_l("Give the class a name.")),
            Length(max=CLASS_NAME_LENGTH, message=_l("At most %(max)d characters.")),
        ],
    )
    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])


class ButtonForm(PageForm):
    """A button that needs nothing but its CSRF token (remove, close, a new code...)."""


class RenameForm(PageForm):
    """A member's new nickname (checked by the nickname rules in the service)."""

    nickname = StringField(_l("New nickname"), validators=[Length(max=MAX_LENGTH * 4)])


class MergeForm(PageForm):
    """The member that the one the form is about is merged into (one student)."""

    # A member id, read by the view: a member merged meanwhile gets a
    # message, not "not a valid choice".
    into = StringField(_l("Merge into"), validators=[Length(max=40)])


class StudyAssignmentForm(StartForm):
    """Self-study for the class: the study page's choices, and a title."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    confidence = BooleanField(_l("Ask how sure they are (certainty-based marks)"), default=True)


class CheckForm(PageForm):
    """Open the next phase of the before/after check."""

    counterbalanced = BooleanField(
        _l("Counterbalance: half the class takes form A first, half form B")
    )
    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])


# --- the students' ------------------------------------------------------------


class ClassJoinForm(PageForm):
    """A nickname, to join the class."""

    nickname = StringField(_l("Nickname"), validators=[Length(max=MAX_LENGTH * 4)])
    next = HiddenField(validators=[Length(max=2000)])


class ReentryForm(PageForm):
    """The re-entry code, to be the same member on this device."""

    reentry_code = StringField(
        _l("Re-entry code"),
        validators=[DataRequired(_l("Enter your re-entry code.")), Length(max=40)],
    )
    next = HiddenField(validators=[Length(max=2000)])


class StartForm(PageForm):
    """Start (or continue) an assignment, with a one-time token."""

    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])
