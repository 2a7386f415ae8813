"""What a page says about spaced review: how many questions are due, the
button that starts them, or when the next review is (the home page and
"my progress" show the same; see the ``reviews_due`` macro)."""

from __future__ import annotations

import secrets

from quizapp.models.content import utcnow
from quizapp.services.reviews import outlook
from quizapp.study.forms import OneTimeForm


def review_context(learner: str | None) -> dict:
    """The ``reviews_due`` macro's arguments for ``learner``."""
    reviews = outlook(learner)
    return {
        "reviews": reviews,
        "review_form": OneTimeForm(token=secrets.token_urlsafe(16)) if reviews.due else None,
        "next_review_in": reviews.next_at - utcnow() if reviews.next_at else None,
    }
