"""Configuration from the environment.

Every variable is listed in docs/operations.md, "Configuration".
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"
#: The nickname deny-list shipped with the app (QUIZ_NICKNAME_DENYLIST overrides it).
DEFAULT_DENY_LIST = Path(__file__).resolve().parent / "classroom" / "nickname-denylist.yaml"
#: Students' polls one server process holds at most (QUIZ_HELD_POLLS): a
#: school of a thousand phones on two workers, with room for an uneven split.
DEFAULT_HELD_POLLS = 700


#: Requests one server process works on at once (QUIZ_THREADS): measured
#: with the benchmark, see gunicorn.conf.py.
DEFAULT_WORKING_THREADS = 4


def held_polls(env) -> int:
    """How many polls a process holds at most (gunicorn.conf.py sizes its threads by it)."""
    return int(env.get("QUIZ_HELD_POLLS") or DEFAULT_HELD_POLLS)


def working_threads(env) -> int:
    """How many requests a process works on at once; the others wait their turn."""
    return int(env.get("QUIZ_THREADS") or DEFAULT_WORKING_THREADS)


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: ``DATABASE_URL``, or a SQLite file under ``instance/``.

    ``postgres://`` and driver-less ``postgresql://`` URLs (as hosting
    platforms hand them out) are pointed at the psycopg 3 driver we install.
    """
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'quizapp.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    return raw


def load_or_create_secret(instance_path: str) -> str:
    """The secret key kept in ``instance/secret_key``, created on first use.

    Written with mode 0600 and created exclusively, so two processes
    starting at once agree on one key.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    """Settings read from the environment when the app is created."""

    def __init__(self, instance_path: str, environ: dict[str, str] | None = None):
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY") or load_or_create_secret(instance_path)
        self.SQLALCHEMY_DATABASE_URI = database_url(env.get("DATABASE_URL"), instance_path)
        # A pooled connection idle this long is tested before use (see
        # quizapp._check_idle_connections).
        self.QUIZ_DB_PING_AFTER_S = float(env.get("QUIZ_DB_PING_AFTER_S") or 1.0)
        self.QUIZ_SEEDS_DIR = Path(env.get("QUIZ_SEEDS_DIR") or PROJECT_ROOT / "seeds")
        self.QUIZ_QUESTIONS_DIR = Path(env.get("QUIZ_QUESTIONS_DIR") or PROJECT_ROOT / "questions")
        # The bank a newcomer is offered first (study start, home page, classroom).
        self.QUIZ_FIRST_BANK = env.get("QUIZ_FIRST_BANK") or "starter"
        self.QUIZ_MAX_BANK_BYTES = int(env.get("QUIZ_MAX_BANK_BYTES") or 1024 * 1024)
        # All the bank files of one upload together (unzipped): checking
        # costs about a second per megabyte of YAML.
        self.QUIZ_MAX_UPLOAD_TOTAL_BYTES = int(
            env.get("QUIZ_MAX_UPLOAD_TOTAL_BYTES") or 2 * 1024 * 1024
        )
        # Any request body larger than this is refused (413) before it is read:
        # an upload of several bank files, or a confirmation carrying them back.
        self.MAX_CONTENT_LENGTH = int(env.get("QUIZ_MAX_UPLOAD_BYTES") or 8 * 1024 * 1024)
        # The editor's form fields are far smaller; Werkzeug's default limit
        # on a non-file field (500 kB) would refuse an upload's confirmation.
        self.MAX_FORM_MEMORY_SIZE = self.MAX_CONTENT_LENGTH
        # Words no classroom nickname may contain (a YAML list under `words`).
        self.QUIZ_NICKNAME_DENYLIST = Path(env.get("QUIZ_NICKNAME_DENYLIST") or DEFAULT_DENY_LIST)
        # Live sessions: one nobody has touched for this long ends itself (so
        # an abandoned lobby is not joinable for ever), and an ended
        # session's join code is not drawn again for this long (an old QR
        # code then says "ended" instead of leading into another class).
        self.QUIZ_SESSION_IDLE_HOURS = float(env.get("QUIZ_SESSION_IDLE_HOURS") or 12)
        self.QUIZ_CODE_REUSE_DAYS = float(env.get("QUIZ_CODE_REUSE_DAYS") or 30)
        # The address students' phones use (e.g. "http://192.168.1.20:8000"),
        # for the join link and QR code; by default the one the teacher used.
        self.QUIZ_PUBLIC_URL = (env.get("QUIZ_PUBLIC_URL") or "").rstrip("/")
        self.SQLITE_BUSY_TIMEOUT_MS = int(env.get("QUIZ_SQLITE_BUSY_TIMEOUT_MS") or 5000)
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/
        # -Host/-Port. Only trusted when set, since a client can send them too.
        self.QUIZ_PROXY_HOPS = int(env.get("QUIZ_PROXY_HOPS") or 0)
        self.QUIZ_HELD_POLLS = held_polls(env)
        # Throttling (the limits are in quizapp/throttle.py): QUIZ_THROTTLE=0
        # turns it off; QUIZ_LIMIT_<NAME> replaces one limit ("5/minute;20/hour").
        self.QUIZ_THROTTLE = env.get("QUIZ_THROTTLE", "1") != "0"
        for name, value in env.items():
            if name.startswith("QUIZ_LIMIT_") and value:
                setattr(self, name, value)
        self.QUIZ_THREADS = working_threads(env)
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SECURE = env.get("QUIZ_SECURE_COOKIES", "") == "1"
        # A student's phone polls every second; re-sending the session cookie
        # on each poll would only cost bandwidth. It is written when it changes.
        self.SESSION_REFRESH_EACH_REQUEST = False
        # gzip where it pays: text of at least COMPRESS_MIN_SIZE bytes, for
        # browsers that ask for it. Smaller bodies fit in one network packet
        # anyway, and the live pages' 304 polls have no body at all.
        self.COMPRESS_ALGORITHM = "gzip"
        self.COMPRESS_ALGORITHM_STREAMING = "gzip"
        self.COMPRESS_LEVEL = 6
        self.COMPRESS_MIN_SIZE = 1400
        self.COMPRESS_MIMETYPES = [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
            "text/csv",
        ]
        self.BABEL_DEFAULT_LOCALE = "en"
        # WTForms' built-in messages come from WTForms' own cached catalogue
        # (quizapp.fields.PageForm), not Flask-WTF's per-request loading.
        self.WTF_I18N_ENABLED = False
        # Times are stored in UTC and shown in this zone (an IANA name).
        self.BABEL_DEFAULT_TIMEZONE = env.get("QUIZ_TIMEZONE") or "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
