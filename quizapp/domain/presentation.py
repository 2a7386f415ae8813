"""What a learner sees of a question: before answering, and after.

Before an answer is recorded, the only thing that may reach the browser is
a :class:`QuestionView`: the prompt, the choices' texts in the attempt's
order, and a numeric answer's unit. It is built from an allow-list, so a
field added to question content later cannot leak the answer key by
accident. After the answer, :func:`review` gives everything: which choices
were right, the feedback for what was picked, the explanation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from quizapp.domain.question_types import REGISTRY
from quizapp.domain.scoring import is_right


@dataclass(frozen=True)
class ShownChoice:
    """A choice as the learner sees it before answering: its id and text."""

    id: str
    text: dict


@dataclass(frozen=True)
class QuestionView:
    """The part of a question that is safe to show before it is answered."""

    type: str
    prompt: dict
    choices: tuple[ShownChoice, ...] = ()
    unit: dict | None = None
    #: For a claim, the passages it is judged against (``exact`` and, if
    #: written, ``gloss``): judging a statement against its evidence is the
    #: skill, so the evidence is shown with it. None other shows a passage first.
    evidence: tuple[dict, ...] = ()


def choice_order(content: dict, rng: random.Random) -> list[str] | None:
    """A shuffled order of the choice ids, or None for types without choices."""
    if not REGISTRY[content["type"]].uses_choices:
        return None
    ids = [choice["id"] for choice in content["choices"]]
    rng.shuffle(ids)
    return ids


def _ordered_choices(content: dict, order: list[str] | None) -> list[dict]:
    choices = {choice["id"]: choice for choice in content.get("choices", ())}
    # A version never changes, so the stored order names exactly its choices.
    return [choices[choice_id] for choice_id in order or choices]


def question_view(content: dict, order: list[str] | None) -> QuestionView:
    """The question as shown before answering: no answer, feedback or explanation."""
    choices = tuple(
        ShownChoice(choice["id"], choice["text"]) for choice in _ordered_choices(content, order)
    )
    unit = content["answer"].get("unit") if content["type"] == "numeric" else None
    evidence = ()
    if content["type"] == "claim":
        evidence = tuple(
            {"exact": source["exact"], "gloss": source.get("gloss")}
            for source in content["sources"]
        )
    return QuestionView(content["type"], content["prompt"], choices, unit, evidence)


@dataclass(frozen=True)
class ReviewedChoice:
    """A choice after answering: whether it was picked, whether it is right."""

    id: str
    text: dict
    picked: bool
    correct: bool
    feedback: dict | None


@dataclass
class Review:
    """Everything about an answered question: the marking and the reasons."""

    view: QuestionView
    response: Any
    fraction: float
    choices: list[ReviewedChoice] = field(default_factory=list)
    explanation: dict = field(default_factory=dict)
    #: Feedback written for this response: the picked choices' feedback, or
    #: the question's ``wrong_feedback`` when a non-choice answer was wrong.
    feedback: list[dict] = field(default_factory=list)
    correct_answer: Any = None

    @property
    def right(self) -> bool:
        """Full marks."""
        return is_right(self.fraction)

    @property
    def partly_right(self) -> bool:
        """Some marks but not all."""
        return self.fraction > 0 and not self.right


def review(content: dict, order: list[str] | None, response: Any, fraction: float) -> Review:
    """The question with the learner's ``response`` marked and explained."""
    view = question_view(content, order)
    answer = content["answer"]
    result = Review(view, response, fraction, explanation=content.get("explanation"))
    if view.choices:
        right_ids = set(answer) if isinstance(answer, list) else {answer}
        picked_ids = set(response) if isinstance(response, list) else {response}
        for choice in _ordered_choices(content, order):
            picked = choice["id"] in picked_ids
            result.choices.append(
                ReviewedChoice(
                    choice["id"],
                    choice["text"],
                    picked,
                    choice["id"] in right_ids,
                    choice.get("feedback"),
                )
            )
            if picked and choice.get("feedback"):
                result.feedback.append(choice["feedback"])
        result.correct_answer = [c for c in result.choices if c.correct]
    else:
        if not is_right(fraction) and content.get("wrong_feedback"):
            result.feedback.append(content["wrong_feedback"])
        result.correct_answer = answer
    return result
