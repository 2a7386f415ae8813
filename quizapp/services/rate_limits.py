"""Counters shared by every worker, in the ``rate_limit_counter`` table.

Two uses (see :mod:`quizapp.throttle`): Flask-Limiter's fixed windows
(how many attempts a key made in the window that ends at ``expires_at``)
and places in a classroom session (how many players took one, up to the
teacher's cap).

Each change is one statement that reads and writes the row at once
(``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, on SQLite and
PostgreSQL), so two workers counting the same key at the same moment both
count. The statements run on the autocommit bind
(:data:`~quizapp.extensions.AUTOCOMMIT`): a connection of their own that
commits each one, so counting never commits, rolls back or waits for the
request's own transaction.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from sqlalchemy import Connection, bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from quizapp.extensions import AUTOCOMMIT, db
from quizapp.models import RateLimitCounter

#: Seconds since the epoch; tests move it to let windows pass.
clock: Callable[[], float] = time.time

_KEY_LENGTH = RateLimitCounter.__table__.c.key.type.length
_now = bindparam("now")


def _upserts(insert) -> dict:
    """The two counting statements in ``insert``'s dialect."""
    row = RateLimitCounter
    added = insert(row).values(
        key=bindparam("counter_key"), count=bindparam("amount"), expires_at=bindparam("ends")
    )
    expired = row.expires_at <= _now
    hit = added.on_conflict_do_update(
        index_elements=[row.key],
        # Both SET expressions read the row as it was: a window that has
        # ended starts again from this hit.
        set_={
            "count": case((expired, added.excluded.count), else_=row.count + added.excluded.count),
            "expires_at": case((expired, added.excluded.expires_at), else_=row.expires_at),
        },
    ).returning(row.count)
    # A place is taken only while fewer than the cap are: the WHERE is
    # checked on the locked row, so a full session answers no row at all.
    place = added.on_conflict_do_update(
        index_elements=[row.key],
        set_={"count": row.count + 1},
        where=row.count < bindparam("cap"),
    ).returning(row.count)
    return {"hit": hit, "place": place}


_UPSERTS = {"sqlite": _upserts(sqlite.insert), "postgresql": _upserts(postgresql.insert)}
_COUNT = select(RateLimitCounter.count, RateLimitCounter.expires_at).where(
    RateLimitCounter.key == bindparam("counter_key"), RateLimitCounter.expires_at > _now
)
_GIVE_BACK = (
    RateLimitCounter.__table__.update()
    .where(RateLimitCounter.key == bindparam("counter_key"), RateLimitCounter.count > 0)
    .values(count=RateLimitCounter.count - 1)
)


def stored_key(key: str) -> str:
    """``key`` as stored: itself, or a digest when longer than the column."""
    if len(key) <= _KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _connection() -> Connection:
    return db.engines[AUTOCOMMIT].connect()


def hit(key: str, window_s: float, amount: int = 1) -> int:
    """Add ``amount`` to ``key``'s count in its current window; return the count.

    A key with no window running starts one of ``window_s`` seconds.
    """
    now = clock()
    with _connection() as connection:
        statement = _UPSERTS[connection.dialect.name]["hit"]
        params = {"counter_key": stored_key(key), "amount": amount, "ends": now + window_s}
        return connection.execute(statement, {**params, "now": now}).scalar_one()


def window(key: str) -> tuple[int, float | None]:
    """``key``'s count in its current window and when the window ends (0, None: none)."""
    with _connection() as connection:
        row = connection.execute(_COUNT, {"counter_key": stored_key(key), "now": clock()}).first()
    return (0, None) if row is None else (row.count, row.expires_at)


def clear(key: str | None = None) -> int:
    """Forget ``key``'s count, or every count; return how many rows went."""
    statement = delete(RateLimitCounter)
    if key is not None:
        statement = statement.where(RateLimitCounter.key == stored_key(key))
    with _connection() as connection:
        return connection.execute(statement).rowcount


def counted_starting(prefix: str) -> int:
    """How many windows still running count something under keys starting with ``prefix``."""
    statement = (
        select(func.count())
        .select_from(RateLimitCounter)
        .where(
            RateLimitCounter.key.startswith(prefix, autoescape=True),
            RateLimitCounter.expires_at > clock(),
            RateLimitCounter.count > 0,
        )
    )
    with _connection() as connection:
        return connection.execute(statement).scalar_one()


def clear_starting(prefix: str) -> int:
    """Forget every count whose key starts with ``prefix``; return how many went."""
    statement = delete(RateLimitCounter).where(
        RateLimitCounter.key.startswith(prefix, autoescape=True)
    )
    with _connection() as connection:
        return connection.execute(statement).rowcount


def purge_expired() -> int:
    """Delete the rows whose window has ended (one indexed DELETE)."""
    with _connection() as connection:
        ended = delete(RateLimitCounter).where(RateLimitCounter.expires_at <= clock())
        return connection.execute(ended).rowcount


def take_place(key: str, cap: int, keep_s: float) -> bool:
    """Take one of ``cap`` places counted under ``key``; False when all are taken.

    The count is kept ``keep_s`` seconds after the first place was taken.
    """
    now = clock()
    params = {"counter_key": stored_key(key), "amount": 1, "ends": now + keep_s, "cap": cap}
    with _connection() as connection:
        statement = _UPSERTS[connection.dialect.name]["place"]
        return connection.execute(statement, params).first() is not None


def give_back_place(key: str) -> None:
    """Return a place taken by :func:`take_place` that went unused."""
    with _connection() as connection:
        connection.execute(_GIVE_BACK, {"counter_key": stored_key(key)})


def is_reachable() -> bool:
    """Whether the counters' database answers."""
    with _connection() as connection:
        return connection.execute(select(1)).scalar_one() == 1
