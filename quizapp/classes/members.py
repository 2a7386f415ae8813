"""Which member this browser is, per class: kept in the signed session cookie.

Like a player's token (see :mod:`quizapp.play.players`), a member's token
is their secret and lives in Flask's signed session cookie, made permanent.
The re-entry code is kept beside it, so that this device can show the
student their code again when they want to continue on another one. Only
the most recent classes are kept, so the cookie stays small.
"""

from __future__ import annotations

from flask import session

from quizapp.models import ClassMember, SchoolClass
from quizapp.play import players
from quizapp.services import classes

KEY = "classes"
KEEP = 8


def _kept() -> dict:
    kept = session.get(KEY)
    return kept if isinstance(kept, dict) else {}


def _entry(school_class: SchoolClass) -> dict:
    entry = _kept().get(school_class.join_token)
    return entry if isinstance(entry, dict) else {}


def member_here(school_class: SchoolClass) -> ClassMember | None:
    """The member of ``school_class`` this browser is, if any (a member
    removed from the class, or merged into another, is no member)."""
    token = _entry(school_class).get("token")
    return classes.member_by_token(school_class, token) if isinstance(token, str) else None


def code_here(school_class: SchoolClass) -> str | None:
    """The re-entry code this browser keeps for ``school_class``."""
    code = _entry(school_class).get("code")
    return code if isinstance(code, str) else None


def remember(school_class: SchoolClass, member: ClassMember, code: str) -> None:
    """Keep ``member`` (and their re-entry ``code``) as this browser's member of the class."""
    kept = dict(_kept())
    kept.pop(school_class.join_token, None)
    kept[school_class.join_token] = {"token": member.token, "code": classes.normal_code(code)}
    session[KEY] = dict(list(kept.items())[-KEEP:])
    session.permanent = True


def forget(school_class: SchoolClass) -> None:
    """This browser is no longer a member of the class (the member stays)."""
    kept = dict(_kept())
    if kept.pop(school_class.join_token, None) is not None:
        session[KEY] = kept


def forget_players(public_ids: list[str]) -> None:
    """Forget this browser's players in the sessions ``public_ids`` (a member
    leaving a shared device: the next student must not continue as them)."""
    tokens = dict(session.get(players.KEY) or {})
    dropped = [tokens.pop(public_id) for public_id in public_ids if public_id in tokens]
    if dropped:
        session[players.KEY] = tokens
