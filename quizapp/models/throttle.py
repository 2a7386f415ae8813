"""Counters of the rate limits, shared by every worker through the database.

See :mod:`quizapp.throttle`: Flask-Limiter counts requests in fixed
windows; each window of each key is one row here, so two gunicorn workers
(or two hosts on PostgreSQL) count the same attempts.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db


class RateLimitCounter(db.Model):
    """How many requests a key made in its current window, and when it ends."""

    __tablename__ = "rate_limit_counter"

    # Flask-Limiter's key: the limit, the scope and who (an address, an
    # account, a player); hashed when longer than the column.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds since the epoch (UTC) at which the window ends.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
