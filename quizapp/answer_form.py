"""The answer form's words, shared by self-study and classroom sessions.

Both areas render the same answer inputs (the ``answer_fields`` macro) and
read them with the question type's ``read_response``; these give the
inputs' labels and the message for each way a response can be refused.
"""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.domain.presentation import QuestionView
from quizapp.i18n import pick


def response_messages() -> dict[str, str]:
    """What to tell the learner for each ResponseError code."""
    return {
        "missing": _("Choose or enter an answer first."),
        "unknown_choice": _("That answer is not one of the choices. Choose one of them."),
        "not_a_number": _(
            "Enter a number, such as 60: in digits or Chinese numerals, "
            "a unit after it if you like."
        ),
        "just_the_number": _("Enter just the number the question asks for, such as 20."),
        "other_month": _(
            "That date is in another month than the one the question asks about. "
            "Enter the day's number."
        ),
        "too_long": _("That answer is too long."),
        "no_confidence": _("Say how sure you are."),
    }


def verdict_labels() -> dict[str, str]:
    """The two answers to a claim, in the interface language."""
    return {
        "supported": _("Supported by the passage"),
        "not_supported": _("Not supported by the passage"),
    }


def answer_options(view: QuestionView) -> list[tuple[str, str]]:
    """The (value, label) pairs a choice-like question offers, labels translated."""
    if view.type == "true_false":
        return [("true", _("True")), ("false", _("False"))]
    if view.type == "claim":
        return list(verdict_labels().items())
    return [(choice.id, pick(choice.text)) for choice in view.choices]
