"""The answer form's words, shared by self-study and classroom sessions.

Both areas render the same answer inputs (the ``answer_fields`` macro) and
read them with the question type's ``read_response``; these give the
inputs' labels and the message for each way a response can be refused.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
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


# --- Opaque choice values ------------------------------------------------------
# A self-study page does not send the bank's choice ids (a, b, c, d): posted
# values would show how a bank is laid out (and which letter is most often
# right). Each choice goes out as a keyed digest of its id and the item it
# is shown in, the same on every load of that item, and comes back as its id.
_OPAQUE_TYPES = ("single", "multiple")


def attempt_scope(public_id: str, position: int) -> str:
    """The scope of a self-study item's choice tokens: its attempt and place."""
    return f"{public_id}:{position}"


def choice_token(scope: str, choice_id: str) -> str:
    """The form value of choice ``choice_id`` on the item ``scope`` names."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    message = f"choice:{scope}:{choice_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def opaque_options(view: QuestionView, scope: str) -> list[tuple[str, str]]:
    """:func:`answer_options` with each choice id replaced by its token."""
    options = answer_options(view)
    if view.type not in _OPAQUE_TYPES:
        return options
    return [(choice_token(scope, value), label) for value, label in options]


def opaque_values(view: QuestionView, scope: str, ids: list[str]) -> list[str]:
    """Choice ids (a saved draft) as the form values the page uses."""
    if view.type not in _OPAQUE_TYPES:
        return list(ids)
    return [choice_token(scope, value) for value in ids]


def choice_ids(view: QuestionView, scope: str, values: list[str]) -> list[str]:
    """Posted form values back to choice ids. A value that is no token of this
    item (a bank id typed in, a page of another item) becomes one that no
    choice has, so the question type refuses it as not one of the choices."""
    if view.type not in _OPAQUE_TYPES:
        return list(values)
    ids = {choice_token(scope, choice.id): choice.id for choice in view.choices}
    return [ids.get(value.strip(), "?") if value.strip() else value for value in values]
