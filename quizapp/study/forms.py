"""Forms of the study area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

LENGTHS = ("all", "5", "10", "20")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (a multiple select is hard to use on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StartForm(FlaskForm):
    """Choose banks, length, mode and whether to rate confidence."""

    banks = MultiCheckboxField(
        _l("Question banks"), validators=[DataRequired(_l("Choose at least one bank."))]
    )
    length = SelectField(
        _l("Number of questions"),
        choices=[("all", _l("All of them")), ("5", "5"), ("10", "10"), ("20", "20")],
        default="10",
    )
    mode = RadioField(
        _l("Mode"),
        choices=[
            ("practice", _l("Practice: see the answer and its source after each question")),
            ("test", _l("Test: answers and sources at the end")),
        ],
        default="practice",
    )
    confidence = BooleanField(_l("Ask how sure I am (certainty-based marks)"), default=True)
    # One-time token: the same form submitted twice starts one attempt.
    token = HiddenField()


class AnswerForm(FlaskForm):
    """The CSRF token and when the question was shown.

    The answer and confidence inputs are written out in the template (their
    shape depends on the question type) and read by the question type's
    ``read_response``, the one definition of a valid response.
    """

    shown = HiddenField()


class RetryForm(FlaskForm):
    """ "Retry the ones I missed"."""

    token = HiddenField()
