"""Staff accounts: teachers run classroom sessions, admins also edit banks.

Learners have no accounts (see :mod:`quizapp.learners` and players in
:mod:`quizapp.models.classroom`); only the people who run things log in.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.extensions import db
from quizapp.models.content import utcnow

ROLES = ("teacher", "admin")


def new_session_token() -> str:
    """A random token that no earlier log-in cookie carries."""
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """A teacher or an admin, who logs in with a name and a password."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # A salted scrypt hash (Werkzeug's default); the password is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of every log-in cookie (see get_id). Replaced at log-out, at a
    # password change and by "sign out everywhere": every cookie issued
    # before no longer matches, wherever it was copied to.
    session_token: Mapped[str] = mapped_column(
        String(64), default=new_session_token, server_default=""
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        """Admins may do everything a teacher may, and edit banks."""
        return self.role == "admin"

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the id and the
        session token, so that replacing the token logs every copy out."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Make every log-in cookie issued so far useless ("sign out everywhere")."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a hash of ``password``; browsers logged in with the old one are signed out."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this user's password."""
        return check_password_hash(self.password_hash, password)
