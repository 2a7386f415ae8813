"""Which player this browser is, per session: a token in the signed session cookie.

The token is the player's secret; it is kept in Flask's signed session
cookie, made permanent so that closing the tab, a reload, or a phone that
drops off the network and comes back finds the same player, answers and
points. Only the most recent sessions are kept, so the cookie stays small.
"""

from __future__ import annotations

import secrets

from flask import session

KEY = "players"
KEEP = 12


def token_for(public_id: str) -> str | None:
    """This browser's player token in session ``public_id``."""
    return (session.get(KEY) or {}).get(public_id)


def joined_sessions() -> list[str]:
    """The public ids of the sessions this browser joined (the latest few)."""
    return list(session.get(KEY) or {})


def remember(public_id: str, token: str) -> None:
    """Keep ``token`` as this browser's player in session ``public_id``."""
    tokens = dict(session.get(KEY) or {})
    tokens.pop(public_id, None)
    tokens[public_id] = token
    session[KEY] = dict(list(tokens.items())[-KEEP:])
    session.permanent = True


DEVICE_KEY = "device"


def device_id() -> str:
    """This browser's long-lived random id (made on first use): a ban in a
    session holds for the browser, whatever nickname it tries next."""
    device = session.get(DEVICE_KEY)
    if not isinstance(device, str) or len(device) != 32:
        device = secrets.token_hex(16)
        session[DEVICE_KEY] = device
        session.permanent = True
    return device
