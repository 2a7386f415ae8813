"""Teachers and students driving classroom sessions through the test client.

Each :class:`Teacher` and :class:`Student` is one browser: its own test
client and cookies. Every response a student's client receives can be
recorded (``Student.received``) for the answer-leak test.
"""

from __future__ import annotations

import re

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from quizapp.extensions import db
from quizapp.models import ClassSession, Player, PlayerAnswer, SessionItem, User
from tests.web.study_client import EN, hidden

PASSWORD = "correct horse battery"
#: The new-session form's options as the form offers them: teacher-paced, no
#: time limit, one point per right answer, late joiners, a leaderboard, typed
#: nicknames, choices shuffled on each device. (Unticked boxes are not sent.)
SESSION_OPTIONS = {
    "pacing": "teacher",
    "time_limit": "None",
    "scoring": "plain",
    "late_join": "y",
    "leaderboard": "y",
    "nicknames": "free",
    "shuffle": "y",
}
#: ``PASSWORD`` hashed with one round of PBKDF2: fast to check, for tests only.
QUICK_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


def make_user(app, name: str = "ms-li", role: str = "teacher", password: str = PASSWORD) -> int:
    """Create a staff account directly in the database; return its id."""
    with app.app_context():
        user = User(name=name, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


class Browser:
    """A test client with its cookies, speaking ``headers``' language."""

    def __init__(self, app, headers=EN):
        self.app = app
        self.client = app.test_client()
        self.headers = headers

    def get(self, path: str, **kwargs):
        return self.client.get(
            path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs
        )

    def text(self, path: str) -> str:
        return self.get(path).get_data(as_text=True)

    def post(self, path: str, data: dict):
        return self.client.post(path, data=data, headers=self.headers)


class Teacher(Browser):
    """A logged-in teacher."""

    def __init__(self, app, name: str = "ms-li", role: str = "teacher", headers=EN, create=True):
        super().__init__(app, headers)
        self.name = name
        if create:
            make_user(app, name, role)
        self.login()

    @classmethod
    def quick(cls, app, name: str = "ms-li", role: str = "teacher", headers=EN) -> Teacher:
        """A teacher whose account is stored with a cheap, pre-computed hash.

        scrypt takes a tenth of a second per hash and per login; suites that
        need a teacher in every test but do not test passwords use this.
        """
        with app.app_context():
            db.session.add(User(name=name, role=role, password_hash=QUICK_HASH))
            db.session.commit()
        return cls(app, name, role, headers, create=False)

    def login(self, password: str = PASSWORD):
        page = self.text("/auth/login")
        return self.post(
            "/auth/login",
            {"csrf_token": hidden(page, "csrf_token"), "name": self.name, "password": password},
        )

    def create(self, banks=("starter",), questions=(), **options) -> str:
        """Create a session through the form; return its public id."""
        page = self.text("/classroom/new")
        data = {
            "csrf_token": hidden(page, "csrf_token"),
            "token": hidden(page, "token"),
            "banks": list(banks),
            "questions": [str(q) for q in questions],
            **SESSION_OPTIONS,
        }
        for key, value in options.items():
            if value is False:
                data.pop(key, None)
            else:
                data[key] = value
        response = self.post("/classroom/new", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]

    def session(self, public_id: str) -> ClassSession:
        """The session row, fresh from the database (detached)."""
        with self.app.app_context():
            session = db.session.scalar(
                select(ClassSession).where(ClassSession.public_id == public_id)
            )
            db.session.expunge(session)
            return session

    def code(self, public_id: str) -> str:
        return self.session(public_id).code

    def act(self, public_id: str, action: str, revision: int | None = None):
        """Press a control button (start, close, again, next, finish)."""
        page = self.text(f"/classroom/{public_id}")
        if revision is None:
            revision = self.session(public_id).revision
        return self.post(
            f"/classroom/{public_id}/control",
            {"csrf_token": hidden(page, "csrf_token"), "action": action, "revision": revision},
        )

    def content(self, public_id: str, position: int) -> dict:
        """The content of the question at ``position`` (from the database)."""
        with self.app.app_context():
            item = db.session.scalar(
                select(SessionItem)
                .join(ClassSession)
                .where(ClassSession.public_id == public_id, SessionItem.position == position)
            )
            return item.question_version.content

    def host(self, public_id: str) -> str:
        """The projector view's page."""
        return self.text(f"/classroom/{public_id}")

    def host_state(self, public_id: str, version: str | None = None):
        """The projector view's state, conditionally on ``version``."""
        headers = {"If-None-Match": f'"{version}"'} if version else {}
        return self.get(f"/classroom/{public_id}/state", headers=headers)

    def moderate(self, public_id: str, player_id: int, action: str, nickname: str = ""):
        """Press a moderation button next to a player (remove, ban, hide,
        approve; rename with ``nickname``)."""
        page = self.host(public_id)
        return self.post(
            f"/classroom/{public_id}/players/{player_id}",
            {"csrf_token": hidden(page, "csrf_token"), "action": action, "nickname": nickname},
        )

    def remove(self, public_id: str, player_id: int):
        """Press "Remove" next to a player."""
        return self.moderate(public_id, player_id, "remove")

    def players(self, public_id: str) -> list[Player]:
        """The session's players (removed ones included), in joining order (detached)."""
        return _detached(
            self.app,
            select(Player)
            .join(ClassSession)
            .where(ClassSession.public_id == public_id)
            .order_by(Player.id),
        )

    def answers(self, public_id: str) -> list[PlayerAnswer]:
        """Every answer row stored for the session (detached)."""
        return _detached(
            self.app,
            select(PlayerAnswer)
            .join(ClassSession, ClassSession.id == PlayerAnswer.session_id)
            .where(ClassSession.public_id == public_id)
            .order_by(PlayerAnswer.id),
        )

    def set_closes_at(self, public_id: str, moment) -> None:
        """Move the session's closing time (time limit or deadline) to ``moment``."""
        with self.app.app_context():
            db.session.execute(
                update(ClassSession)
                .where(ClassSession.public_id == public_id)
                .values(closes_at=moment)
            )
            db.session.commit()


class Student(Browser):
    """A student's phone: joins with a code and answers on the live page."""

    def __init__(self, app, headers=EN):
        super().__init__(app, headers)
        self.public_id: str | None = None
        self.received: list[tuple[str, int, str]] = []

    def get(self, path: str, **kwargs):
        response = super().get(path, **kwargs)
        self.received.append((path, response.status_code, response.get_data(as_text=True)))
        return response

    def post(self, path: str, data: dict):
        response = self.client.post(path, data=data, headers=self.headers)
        self.received.append((path, response.status_code, response.get_data(as_text=True)))
        return response

    def join(self, code: str, nickname: str = ""):
        page = self.text("/play/")
        response = self.post(
            "/play/",
            {"csrf_token": hidden(page, "csrf_token"), "code": code, "nickname": nickname},
        )
        if response.status_code == 302:
            self.public_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        return response

    def page(self) -> str:
        return self.text(f"/play/s/{self.public_id}")

    def form(self) -> dict:
        """The hidden fields of the question form on the live page."""
        page = self.page()
        return {name: hidden(page, name) for name in ("csrf_token", "position", "round")}

    def answer(self, values, confidence=None, form=None, part=False):
        """Send the answer form; with ``part``, as static/live.js sends it."""
        data = dict(form or self.form(), answer=list(values))
        if confidence is not None:
            data["confidence"] = confidence
        query = "?part=live" if part else ""
        return self.post(f"/play/s/{self.public_id}/answer{query}", data)

    def state(self, version: str | None = None):
        headers = {"If-None-Match": f'"{version}"'} if version else {}
        return self.get(f"/play/s/{self.public_id}/state", headers=headers)

    def choice_order(self) -> list[str]:
        """The choice values in the order this device shows them."""
        page = self.page()
        tiles = re.findall(r'<button type="submit" name="answer" value="([^"]*)"', page)
        return tiles or re.findall(r'name="answer" id="answer-\d+" value="([^"]*)"', page)

    def carried_over(self) -> Student:
        """The same student on another client that has only this one's session cookie.

        A phone that dropped off the network (or a restarted browser) keeps
        nothing but its cookies.
        """
        other = Student(self.app, self.headers)
        other.client.set_cookie("session", self.client.get_cookie("session").value)
        other.public_id = self.public_id
        return other

    def review(self, number: int):
        """The review page of question ``number`` (1-based)."""
        return self.get(f"/play/s/{self.public_id}/{number}")


def _detached(app, query) -> list:
    """The rows ``query`` selects, detached so tests can read them freely."""
    with app.app_context():
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows
