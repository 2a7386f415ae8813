"""Forms of the study area."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from quizapp.fields import REQUEST_TOKEN_LENGTH, MultiCheckboxField, PageForm, WholeNumberField

#: The longest time limit a test may have, in minutes.
MAX_TIME_LIMIT = 300


class StartForm(PageForm):
    """Choose banks, length, mode and whether to rate confidence."""

    banks = MultiCheckboxField(
        _l("Question banks"), validators=[DataRequired(_l("Choose at least one bank."))]
    )
    length = WholeNumberField(
        _l("Number of questions"),
        validators=[
            Optional(),
            NumberRange(1, 1000, _l("Choose a number from 1 to %(max)s, or leave it empty.")),
        ],
        default=10,
    )
    mode = RadioField(
        _l("Mode"),
        choices=[
            SelectChoice(
                "practice", _l("Practice: see the answer and its source after each question")
            ),
            SelectChoice("test", _l("Test: answers and sources at the end")),
        ],
        default="practice",
    )
    time_limit = WholeNumberField(
        _l("Time limit in minutes (tests only; leave empty for none)"),
        validators=[
            Optional(),
            NumberRange(
                1, MAX_TIME_LIMIT, _l("Choose from 1 to %(max)s minutes, or leave it empty.")
            ),
        ],
    )
    confidence = BooleanField(_l("Ask how sure I am (certainty-based marks)"), default=True)
    # One-time token: the same form submitted twice starts one attempt.
    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])

    def validate_time_limit(self, field):
        if field.data and self.mode.data != "test":
            raise ValidationError(_l("A time limit is for tests: choose Test, or leave it empty."))


class AnswerForm(PageForm):
    """The CSRF token and when the question was shown.

    The answer and confidence inputs are written out in the template (their
    shape depends on the question type) and read by the question type's
    ``read_response``, the one definition of a valid response.
    """

    shown = HiddenField()


class OneTimeForm(PageForm):
    """A button that starts an attempt ("retry the ones I missed", "start
    my review"), with its one-time token: a double click starts one."""

    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])


class SubmitTestForm(PageForm):
    """Submit a test: its answers are marked and can no longer change."""
