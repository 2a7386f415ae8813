"""A learner driving the study pages through the test client."""

from __future__ import annotations

import re

from sqlalchemy import select

from quizapp.answer_form import attempt_scope, choice_token
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem

EN = {"Accept-Language": "en"}


def hidden(page: str, name: str) -> str:
    """The value of the hidden input ``name`` in ``page``."""
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def form_values(app, public_id: str, number: int, content: dict, values) -> list[str]:
    """``values`` (choice ids, typed text) as the page of question ``number``
    of attempt ``public_id`` sends them: each choice id as its token."""
    if content["type"] not in ("single", "multiple"):
        return list(values)
    ids = {choice["id"] for choice in content["choices"]}
    with app.app_context():
        scope = attempt_scope(public_id, number - 1)
        return [choice_token(scope, value) if value in ids else value for value in values]


class Learner:
    """One browser: a test client with its cookies, speaking ``headers``' language."""

    def __init__(self, app, headers=EN):
        self.app = app
        self.client = app.test_client()
        self.headers = headers

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def text(self, path: str) -> str:
        return self.get(path).get_data(as_text=True)

    def post(self, path: str, data: dict):
        return self.client.post(path, data=data, headers=self.headers)

    def start_form(self, banks=("starter",), length="", mode="practice", confidence=True) -> dict:
        """The start form as freshly shown, filled in (not sent)."""
        page = self.text("/study/start")
        data = {
            "csrf_token": hidden(page, "csrf_token"),
            "token": hidden(page, "token"),
            "banks": list(banks),
            "length": length,
            "mode": mode,
        }
        if confidence:
            data["confidence"] = "y"
        return data

    def start(self, banks=("starter",), length="", mode="practice", confidence=True) -> str:
        """Start an attempt through the form; return its public id."""
        response = self.post("/study/start", self.start_form(banks, length, mode, confidence))
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].rsplit("/", 1)[1]

    def content(self, public_id: str, number: int) -> dict:
        """The question content behind item ``number`` (read from the database)."""
        with self.app.app_context():
            item = db.session.scalar(
                select(AttemptItem)
                .join(Attempt)
                .where(Attempt.public_id == public_id, AttemptItem.position == number - 1)
            )
            return item.question_version.content

    def form_values(self, public_id: str, number: int, values) -> list[str]:
        """``values`` as question ``number``'s page sends them: each choice id
        as its opaque token (anything else as it is)."""
        return form_values(self.app, public_id, number, self.content(public_id, number), values)

    def form_for(self, public_id: str, number: int) -> dict:
        """The hidden fields of question ``number``'s form, as served."""
        page = self.text(f"/study/{public_id}/{number}")
        return {"csrf_token": hidden(page, "csrf_token"), "shown": hidden(page, "shown")}

    def answer(
        self, public_id: str, number: int, values, confidence="2", form=None, go=None, flag=False
    ):
        """Submit ``values`` to question ``number``; return the response. In a
        test, ``go`` says which button was pressed and ``flag`` ticks the flag."""
        values = self.form_values(public_id, number, values)
        data = dict(form or self.form_for(public_id, number), answer=values)
        if confidence is not None:
            data["confidence"] = confidence
        if go is not None:
            data["go"] = go
        if flag:
            data["flag"] = "1"
        return self.post(f"/study/{public_id}/{number}", data)

    def submit_test(self, public_id: str):
        """Press "Submit my test" on the test's check page; return the response."""
        page = self.text(f"/study/{public_id}/check")
        return self.post(f"/study/{public_id}/submit", {"csrf_token": hidden(page, "csrf_token")})
