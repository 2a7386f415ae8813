"""Rate limits on guessing and flooding, counted in the database.

Flask-Limiter does the bookkeeping (fixed windows, one counter per limit,
key and window); its counters live in the ``rate_limit_counter`` table
through :class:`DatabaseStorage`, so every gunicorn worker, and every
host of a PostgreSQL deployment, counts the same attempts. What is limited:

* log-ins, per account name and per client address, counting failed
  attempts only; once a limit is reached even the right password is
  refused until its window ends. The tiers make a back-off: a few tries a
  minute, fewer per hour, a handful of hours' worth per day;
* wrong session codes (``POST /play/``), per client address;
* answers that were not recorded (repeats, late or refused ones), per
  player (far above what a person can read and tap);
* joins per session: not a rate but the cap the teacher sets, kept by
  :func:`quizapp.services.players.join` in the same table.

A throttled request gets 429 with ``Retry-After`` (seconds) and a message
in the visitor's language (an HTML page, or JSON for JSON clients).

Every figure is in :data:`LIMITS`; ``QUIZ_LIMIT_<NAME>`` replaces one, and
``QUIZ_THROTTLE=0`` turns throttling off (the test suite's default; the
throttling tests turn it on).
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta
from typing import ClassVar

from flask import Flask, current_app, g, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded, RouteLimit
from flask_login import current_user
from limits import parse_many
from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError

from quizapp.errors import too_many_requests_page
from quizapp.services import rate_limits

#: Every limit, in Flask-Limiter's notation; the app config key (and
#: environment variable) of the same name replaces one. Several tiers in
#: one limit are all counted: whichever runs out first refuses.
LIMITS = {
    # Failed log-ins naming one account (a password guesser's target).
    "QUIZ_LIMIT_LOGIN_ACCOUNT": "5 per minute; 20 per hour; 100 per day",
    # Failed log-ins from one address, whatever the name (a whole school
    # behind one router shares this one).
    "QUIZ_LIMIT_LOGIN_ADDRESS": "20 per minute; 100 per hour; 300 per day",
    # Codes that name no running session, from one address: a class behind
    # one router mistyping is far below it; guessing a 6-digit code is not.
    "QUIZ_LIMIT_JOIN_CODE": "20 per minute; 200 per hour; 1000 per day",
    # Answers of one player: one a second, for a minute.
    "QUIZ_LIMIT_ANSWERS": "60 per minute",
}
#: Counter rows whose window has ended are deleted by one worker's write at
#: most this often (an indexed DELETE), so the table holds live windows only.
PURGE_EVERY_S = 60.0
STORAGE_URI = "quizapp-db://"


class DatabaseStorage(Storage):
    """Flask-Limiter's counters in the database (fixed windows only).

    Holds no count itself: every read and write goes to
    :mod:`quizapp.services.rate_limits`, on the current app's database.
    """

    STORAGE_SCHEME: ClassVar[list[str]] = ["quizapp-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.next_purge = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        count = rate_limits.hit(key, expiry, amount)
        self._purge_now_and_then()
        return count

    def get(self, key: str) -> int:
        return rate_limits.window(key)[0]

    def get_expiry(self, key: str) -> float:
        ends = rate_limits.window(key)[1]
        return rate_limits.clock() if ends is None else ends

    def check(self) -> bool:
        try:
            return rate_limits.is_reachable()
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        return rate_limits.clear()

    def clear(self, key: str) -> None:
        rate_limits.clear(key)

    def _purge_now_and_then(self) -> None:
        now = rate_limits.clock()
        if now < self.next_purge:
            return
        self.next_purge = now + PURGE_EVERY_S
        try:
            rate_limits.purge_expired()
        except SQLAlchemyError as problem:  # two purges crossing: the next one catches up
            current_app.logger.warning("rate limit counters not purged: %s", problem)


def _address() -> str:
    # ProxyFix has put the client's own address here when QUIZ_PROXY_HOPS is set.
    return request.remote_addr or "unknown"


def _account(name: str) -> str:
    return f"account:{name}" if name else ""


def _named_account() -> str:
    """The account a log-in form names ("" skips the limit: nothing named)."""
    return _account(request.form.get("name", "").strip())


def _current_account() -> str:
    return _account(current_user.name) if current_user.is_authenticated else ""


def unlock_account(name: str) -> int:
    """Forget the failed log-ins counted against the account ``name`` (for an
    operator, when a guesser has locked a teacher out); return the counters
    deleted. Failures counted per address stay."""
    # Flask-Limiter's keys: "LIMITER/<key>/<scope>/<amount>/<multiples>/<granularity>".
    return rate_limits.clear_starting(f"LIMITER/{_account(name)}/")


def has_failures(name: str) -> bool:
    """Whether failed log-ins are counted against the account ``name`` now
    (shown to admins, who may :func:`unlock_account` it)."""
    return rate_limits.counted_starting(f"LIMITER/{_account(name)}/") > 0


def _player() -> str:
    """The player answering: a digest of this browser's token in the session."""
    # Imported here: the play blueprint imports this module.
    from quizapp.play.players import token_for

    public_id = (request.view_args or {}).get("public_id", "")
    token = token_for(public_id)
    if not token:
        return ""  # not a player: the view answers 404
    return "player:" + hashlib.sha256(f"{public_id}:{token}".encode()).hexdigest()[:32]


def _limit(name: str):
    return lambda: current_app.config[name]


def failed() -> None:
    """Count this request against its route's limits on failures (a wrong
    password, a wrong code); other requests to those routes are not counted."""
    g.throttle_failed = True


def _has_failed(_response) -> bool:
    return g.get("throttle_failed", False)


def _login_message() -> str:
    # Also on the password change, where a wrong current password counts.
    return _("Too many wrong passwords for this account or from your network.")


def _shared(name: str, scope: str, key_func, message) -> RouteLimit:
    return limiter.shared_limit(
        _limit(name),
        scope=scope,
        key_func=key_func,
        methods=["POST"],
        deduct_when=_has_failed,
        error_message=message,
    )


limiter = Limiter(
    key_func=_address,
    storage_uri=STORAGE_URI,
    strategy="fixed-window",
    # Retry-After is set on the 429 page; no X-RateLimit headers on every
    # answer (they would cost two reads of the counters per request).
    headers_enabled=False,
    # Check every tier, so that Retry-After names the longest wait.
    fail_on_first_breach=False,
)


@limiter.request_filter
def _switched_off() -> bool:
    """This app's own switch (``QUIZ_THROTTLE``): a request it exempts is not counted."""
    return not current_app.config["QUIZ_THROTTLE"]


_login_by_account = _shared(
    "QUIZ_LIMIT_LOGIN_ACCOUNT", "login-account", _named_account, _login_message
)
_login_by_address = _shared("QUIZ_LIMIT_LOGIN_ADDRESS", "login-address", _address, _login_message)
_password_by_account = _shared(
    "QUIZ_LIMIT_LOGIN_ACCOUNT", "login-account", _current_account, _login_message
)
_codes_by_address = limiter.shared_limit(
    _limit("QUIZ_LIMIT_JOIN_CODE"),
    scope="join-code",
    key_func=_address,
    # The empty form is shown to anyone; a code in its address is checked.
    exempt_when=lambda: request.method == "GET" and not (request.view_args or {}).get("code"),
    deduct_when=_has_failed,
    error_message=lambda: _("Too many wrong session codes from your network."),
)


def count_unrecorded_answer():
    """Count an answer that recorded nothing (a repeat, a late or refused
    one) against its player; once over the limit, the 429 page, else None.

    Only such answers are counted, and counted after the fact: a player
    records at most one answer per question and round, so the answers
    worth limiting are the others (a script's flood), and a recorded
    answer then costs no read and no write of a counter. Checked as a
    route limit, every answer cost a read, a write (on SQLite a commit)
    and Flask-Limiter's bookkeeping: measured at saturation, throttled
    answers/s were 0.68–0.92 of unthrottled.
    """
    if not current_app.config["QUIZ_THROTTLE"]:
        return None
    key = _player()
    if not key:
        return None
    strategy = limiter.limiter
    over = [
        item
        for item in parse_many(current_app.config["QUIZ_LIMIT_ANSWERS"])
        if not strategy.hit(item, key, "answers")
    ]
    if not over:
        return None
    now = rate_limits.clock()
    wait = max(
        max(1, math.ceil(strategy.get_window_stats(item, key, "answers").reset_time - now))
        for item in over
    )
    return _page(_("Too many answers from this device in a short time."), wait)


def login_attempts(view):
    """On the log-in route: failed log-ins per account name and per address."""
    return _login_by_account(_login_by_address(view))


def password_checks(view):
    """On a form that asks for the current password: its failures count as
    failed log-ins of the account and of the address."""
    return _password_by_account(_login_by_address(view))


def join_codes(view):
    """On the join route: wrong codes per address."""
    return _codes_by_address(view)


def _retry_after() -> int:
    """Seconds until the window that refused this request ends (the
    longest, when several tiers did)."""
    breached = limiter.current_limit
    ends = None if breached is None else rate_limits.window(breached.key)[1]
    if ends is None:  # the window ended meanwhile: try again at once
        return 1
    return max(1, math.ceil(ends - rate_limits.clock()))


def _throttled(error: RateLimitExceeded):
    return _page(error.description, _retry_after())


def _page(reason: str, wait: int):
    # One sentence pattern, not two joined with a space: Chinese puts none
    # after "。".
    message = _(
        "%(reason)s Try again in %(wait)s.",
        reason=reason,
        wait=format_timedelta(timedelta(seconds=wait), threshold=1.1),
    )
    return too_many_requests_page(message, wait)


def check_settings(config) -> None:
    """Fill in the default limits and refuse a limit that does not parse
    (or a ``QUIZ_LIMIT_`` name that is none of ours) when the app starts."""
    for name in config:
        if name.startswith("QUIZ_LIMIT_") and name not in LIMITS:
            raise ValueError(f"{name}: no such limit; the limits are {', '.join(LIMITS)}")
    for name, default in LIMITS.items():
        value = config.setdefault(name, default)
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{name}={value!r}: write limits as '5 per minute; 20/hour'") from None


def init_app(app: Flask) -> None:
    """Bind the limiter, on or off as ``QUIZ_THROTTLE`` says."""
    check_settings(app.config)
    # Always on for Flask-Limiter, whose switch is one for every app of the
    # process (the tests build apps with and without throttling); each app's
    # own setting is read per request by the filter below.
    app.config["RATELIMIT_ENABLED"] = True
    app.config["QUIZ_THROTTLE"] = bool(app.config.get("QUIZ_THROTTLE", True))
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _throttled)
