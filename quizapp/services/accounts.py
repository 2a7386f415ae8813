"""Staff accounts: creating them and changing their passwords."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.accounts import ROLES

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A name, role or password that cannot be used."""


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
    """Give the user ``name`` a new password."""
    user = db.session.scalar(select(User).where(User.name == name))
    if user is None:
        raise AccountError(f"no user named {name!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    user.set_password(password)
    db.session.commit()
    return user
