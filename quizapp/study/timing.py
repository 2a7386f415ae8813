"""How long a learner took over a question, without writing on page views.

The question page carries a signed note of when it was shown; the answer
brings it back. Nothing is stored until the answer is, and a forged or
foreign note is simply ignored (time taken is then unknown).
"""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

# Beyond this, the page was left open, not worked on.
LONGEST_MS = 24 * 3600 * 1000


def serializer() -> URLSafeSerializer:
    """The signer of "shown" notes (bound to the secret key and its own salt)."""
    return URLSafeSerializer(current_app.secret_key, salt="quizapp.shown")


def shown_note(public_id: str, position: int) -> str:
    """A signed note that the item at ``position`` was shown now."""
    return serializer().dumps([public_id, position, time.time()])


def time_taken_ms(note: str | None, public_id: str, position: int) -> int | None:
    """Milliseconds since the note was written, if it is genuine and for this item."""
    if not note:
        return None
    try:
        noted_id, noted_position, shown_at = serializer().loads(note)
    except (BadSignature, ValueError, TypeError):
        return None
    if noted_id != public_id or noted_position != position:
        return None
    elapsed = round((time.time() - float(shown_at)) * 1000)
    return elapsed if 0 <= elapsed <= LONGEST_MS else None
