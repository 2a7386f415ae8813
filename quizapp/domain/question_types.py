"""Question types: a registry of classes keyed by the bank's ``type`` field.

Each type knows the shape of its answer in a bank file and how to grade a
response. Adding a type means adding one class here with ``@register``; the
bank schema, the importer and the exporter find it through :data:`REGISTRY`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from quizapp.domain.fields import FieldReader
from quizapp.domain.grading import (
    read_quantity,
    same_answer,
    unit_fits,
    unit_scale,
    value_in_unit,
)
from quizapp.domain.text import fold_text
from quizapp.domain.yamlfile import Path

REGISTRY: dict[str, QuestionType] = {}

#: The longest written answer accepted from a learner.
MAX_RESPONSE_LENGTH = 200


class ResponseError(ValueError):
    """A learner's response that cannot be graded; ``code`` says why.

    The interface turns the code into a message in the learner's language:
    ``missing`` (nothing given), ``unknown_choice`` (not one of the choices
    shown), ``not_a_number``, ``just_the_number`` (a date where a number is
    asked), ``other_month`` (a day of another month than the question's) and
    ``too_long``.
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    REGISTRY[cls.name] = cls()
    return cls


class QuestionType:
    """What every question type provides."""

    name: ClassVar[str]
    #: Whether questions of this type list ``choices``.
    uses_choices: ClassVar[bool] = False
    min_choices: ClassVar[int] = 2
    max_choices: ClassVar[int] = 8

    def clean_answer(
        self, reader: FieldReader, path: Path, answer: Any, choice_ids: list[str]
    ) -> Any:
        """Check ``answer`` against the type (and choices); return its canonical form."""
        raise NotImplementedError

    def grade(self, answer: Any, response: Any) -> float:
        """The share of full marks, 0.0 to 1.0, that ``response`` earns."""
        raise NotImplementedError

    def read_response(self, values: list[str], content: dict) -> Any:
        """Turn the submitted form values into a response ``grade`` accepts.

        Raises :class:`ResponseError` when the values cannot be a response
        to this question; nothing is graded or stored then.
        """
        raise NotImplementedError

    def form_values(self, response: Any) -> list[str]:
        """The form values that :meth:`read_response` reads back as
        ``response`` (a saved answer shown in its form again)."""
        if response is None:
            return []
        if isinstance(response, list):
            return [str(value) for value in response]
        return [str(response)]


def _one_value(values: list[str]) -> str:
    text = values[0].strip() if values else ""
    if not text:
        raise ResponseError("missing")
    if len(text) > MAX_RESPONSE_LENGTH:
        raise ResponseError("too_long")
    return text


def _choice_ids(content: dict) -> list[str]:
    return [choice["id"] for choice in content.get("choices", ())]


@register
class SingleChoice(QuestionType):
    """One correct choice among several."""

    name = "single"
    uses_choices = True

    def clean_answer(self, reader, path, answer, choice_ids):
        if not isinstance(answer, str):
            reader.fail(path, "expected one choice id")
            return None
        if answer not in choice_ids:
            reader.fail(path, f"'{answer}' is not among the choices ({', '.join(choice_ids)})")
            return None
        return answer

    def grade(self, answer, response):
        return 1.0 if response == answer else 0.0

    def read_response(self, values, content):
        picked = _one_value(values)
        if picked not in _choice_ids(content):
            raise ResponseError("unknown_choice")
        return picked


@register
class MultipleChoice(QuestionType):
    """Several correct choices; partial credit, wrong picks cancel right ones."""

    name = "multiple"
    uses_choices = True
    min_choices = 3

    def clean_answer(self, reader, path, answer, choice_ids):
        if not isinstance(answer, list) or not answer:
            reader.fail(path, "expected a list of one or more choice ids")
            return None
        unknown = [item for item in answer if item not in choice_ids]
        if unknown:
            listed = ", ".join(map(str, unknown))
            reader.fail(path, f"{listed} not among the choices ({', '.join(choice_ids)})")
            return None
        if len(set(answer)) != len(answer):
            reader.fail(path, "lists a choice twice")
            return None
        if len(answer) == len(choice_ids):
            reader.fail(path, "every choice is correct; a learner could not go wrong")
            return None
        return [choice for choice in choice_ids if choice in answer]

    def grade(self, answer, response):
        picked = set(response or ())
        right = len(picked & set(answer))
        wrong = len(picked - set(answer))
        return max(0.0, (right - wrong) / len(answer))

    def read_response(self, values, content):
        picked = {value.strip() for value in values if value.strip()}
        if not picked:
            raise ResponseError("missing")
        ids = _choice_ids(content)
        if not picked <= set(ids):
            raise ResponseError("unknown_choice")
        return [choice for choice in ids if choice in picked]


@register
class TrueFalse(QuestionType):
    """A statement the learner judges true or false."""

    name = "true_false"

    def clean_answer(self, reader, path, answer, choice_ids):
        if not isinstance(answer, bool):
            reader.fail(path, "expected true or false")
            return None
        return answer

    def grade(self, answer, response):
        return 1.0 if response is answer else 0.0

    def read_response(self, values, content):
        given = _one_value(values)
        if given not in ("true", "false"):
            raise ResponseError("unknown_choice")
        return given == "true"

    def form_values(self, response):
        return [] if response is None else ["true" if response else "false"]


@register
class Claim(QuestionType):
    """A statement about a cited passage that the learner judges supported by it
    or not: the discernment item. A statement the passage does not support
    changes it in one way a careless reader misses (an altered figure, a
    swapped actor, certainty added to a hedge); its ``wrong_feedback`` says which.
    """

    name = "claim"
    #: The answers, as a bank file writes them and as a form posts them.
    VERDICTS = ("supported", "not_supported")

    def clean_answer(self, reader, path, answer, choice_ids):
        if answer not in self.VERDICTS:
            reader.fail(path, "expected supported or not_supported")
            return None
        return answer

    def grade(self, answer, response):
        return 1.0 if response == answer else 0.0

    def read_response(self, values, content):
        given = _one_value(values)
        if given not in self.VERDICTS:
            raise ResponseError("unknown_choice")
        return given


@register
class Numeric(QuestionType):
    """A number, right within a tolerance: ``{value: 60, tolerance: 0}``."""

    name = "numeric"

    def clean_answer(self, reader, path, answer, choice_ids):
        if reader.mapping(path, answer, ("value",), ("tolerance", "unit", "month")) is None:
            return None
        value = answer.get("value")
        tolerance = answer.get("tolerance", 0)
        ok = True
        for key, number in (("value", value), ("tolerance", tolerance)):
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                reader.fail((*path, key), "expected a number")
                ok = False
            elif not math.isfinite(number):
                reader.fail((*path, key), "must be a finite number")
                ok = False
        if ok and tolerance < 0:
            reader.fail((*path, "tolerance"), "must not be negative")
            ok = False
        cleaned = {"value": value, "tolerance": tolerance}
        if "unit" in answer:
            cleaned["unit"] = reader.bilingual((*path, "unit"), answer["unit"], max_length=40)
            ok = ok and cleaned["unit"] is not None
        if "month" in answer:
            # A day of a month: "March 1" is right, "February 1" is not.
            cleaned["month"] = reader.integer((*path, "month"), answer["month"], 1, 12)
            ok = ok and cleaned["month"] is not None
        return cleaned if ok else None

    def grade(self, answer, response):
        if isinstance(response, bool) or not isinstance(response, (int, float)):
            return 0.0
        return 1.0 if abs(response - answer["value"]) <= answer["tolerance"] + 1e-9 else 0.0

    def read_response(self, values, content):
        # One definition of a written number: quizapp.domain.grading.
        quantity = read_quantity(_one_value(values))
        if quantity is None:
            raise ResponseError("not_a_number")
        if quantity.month is not None:
            # A date answers a day-of-month question only in its month.
            month = content["answer"].get("month")
            if month is None:
                raise ResponseError("just_the_number")
            if quantity.month != month:
                raise ResponseError("other_month")
        _scale, names = unit_scale(content["answer"].get("unit"))
        if not unit_fits(quantity.rest, names):
            raise ResponseError("not_a_number")
        number = value_in_unit(quantity, content["answer"])
        if not math.isfinite(number):
            raise ResponseError("not_a_number")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number

    def form_values(self, response):
        if response is None:
            return []
        # The shortest digits that read back as the same number (never "1e-05").
        text = repr(response)
        if "e" in text:
            text = f"{response:.20f}".rstrip("0").rstrip(".")
        return [text]


@register
class ShortText(QuestionType):
    """A short written answer matched against accepted strings.

    Matching is :func:`quizapp.domain.grading.same_answer`: punctuation and
    quotes at both ends, white space, letter case, width and traditional
    characters are ignored, so "“AI換臉”。" is the answer "AI换脸".
    """

    name = "short_text"

    def clean_answer(self, reader, path, answer, choice_ids):
        if not isinstance(answer, list) or not answer:
            reader.fail(path, "expected a list of one or more accepted answers")
            return None
        cleaned = [reader.string((*path, i), item, max_length=200) for i, item in enumerate(answer)]
        if None in cleaned:
            return None
        # Only the same text twice is refused: answers the grader reads as one
        # ("deepfake", "deep fake"), or as nothing (":"), are for ``quiz lint``.
        folded = [fold_text(item).casefold() for item in cleaned]
        if len(set(folded)) != len(folded):
            reader.fail(path, "lists the same accepted answer twice")
            return None
        return cleaned

    def grade(self, answer, response):
        if not isinstance(response, str):
            return 0.0
        return 1.0 if same_answer(response, answer) else 0.0

    def read_response(self, values, content):
        return _one_value(values)
