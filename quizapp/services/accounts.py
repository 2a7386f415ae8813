"""Staff accounts: creating them, their passwords, and signing them out everywhere."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.accounts import ROLES

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A name, role or password that cannot be used (``code`` says which rule)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def create_user(name: str, role: str, password: str) -> User:
    """Create a teacher or admin account with a hashed password."""
    name = name.strip()
    if not name or len(name) > 64:
        raise AccountError("the name must be 1 to 64 characters")
    if role not in ROLES:
        raise AccountError(f"the role must be one of: {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(User).where(User.name == name)) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    user = User(name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def set_password(name: str, password: str) -> User:
    """Give the user ``name`` a new password; their browsers are signed out."""
    user = _named(name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    user.set_password(password)
    db.session.commit()
    return user


def _named(name: str) -> User:
    user = db.session.scalar(select(User).where(User.name == name))
    if user is None:
        raise AccountError(f"no user named {name!r}")
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change ``user``'s own password, checking the current one first.

    Every browser logged in as ``user`` is signed out (the caller logs the
    one that asked in again). Raises :class:`AccountError` with ``code``
    ``wrong_password`` or ``too_short``.
    """
    if not user.check_password(current):
        raise AccountError("the current password is wrong", "wrong_password")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters", "too_short"
        )
    user.set_password(new)
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """Make every log-in cookie of ``user`` useless, wherever it was copied to."""
    user.end_sessions()
    db.session.commit()


def sign_out_named(name: str) -> User:
    """:func:`sign_out_everywhere` for the account ``name``."""
    user = _named(name)
    sign_out_everywhere(user)
    return user


def staff_accounts() -> list[User]:
    """Every account, admins first, then by name."""
    return list(db.session.scalars(select(User).order_by(User.role, User.name)))
