#!/usr/bin/env python3
"""Project tasks, needing nothing but Python 3.11+ and pip.

    python3 tasks.py run [--lan]     set up, migrate, import the banks, serve on :5000
                                     (--lan: reachable from the classroom network)
    python3 tasks.py test [ARGS]     set up and run the whole test suite (ARGS go to pytest)
    python3 tasks.py test-postgres [ARGS]
                                     the same suite against a throwaway PostgreSQL server
    python3 tasks.py translations    re-extract interface strings into the catalogues
    python3 tasks.py serve           production: set up, migrate, import, run gunicorn
                                     with gunicorn.conf.py (QUIZ_BIND, default 127.0.0.1:8000)
    python3 tasks.py bench [ARGS]    the load benchmark, SQLite and a throwaway PostgreSQL
                                     (ARGS go to python -m tests.bench; see README.md)

Set-up creates .venv, installs the project with its test dependencies (again
only when pyproject.toml changes) and compiles the translations.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".setup-stamp"
TRANSLATIONS = ROOT / "quizapp" / "translations"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def run(*command, **kwargs) -> None:
    """Run a command from the project root; stop on failure."""
    print("+", " ".join(map(str, command)), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True, **kwargs)


def flask(*args, env=None) -> None:
    """Run a ``flask --app quizapp`` command inside the environment."""
    run(BIN / "flask", "--app", "quizapp", *args, env=env)


def setup() -> None:
    """Create the virtual environment and install the project, if needed."""
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
        STAMP.write_text(wanted)
    # Only when a catalogue changed, so that runs sharing the environment (CI's
    # two legs at once) do not rewrite the .mo files under each other.
    stale = [
        po
        for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        run(BIN / "pybabel", "compile", "--use-fuzzy", "-d", TRANSLATIONS, "--statistics")


def offer_first_account() -> None:
    """With no staff account yet, offer to create an admin (teachers need one to log in)."""
    listed = subprocess.run(
        [BIN / "flask", "--app", "quizapp", "users", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    if listed.stdout.strip():
        return
    hint = ".venv/bin/flask --app quizapp users create NAME --role admin"
    if not sys.stdin.isatty():
        print(f"No teacher account yet; to run classroom sessions, create one: {hint}")
        return
    name = input("No teacher account yet. Name for an admin account (empty to skip): ").strip()
    if name:
        flask("users", "create", name, "--role", "admin")
    else:
        print(f"Skipped. Later: {hint}")


def serve(lan: bool = False) -> None:
    """Set up, bring the database up to date, import the banks and serve.

    Only this machine can connect unless ``lan``: then students' phones on
    the same network can, at the address the projector view shows.
    """
    setup()
    flask("db", "upgrade")
    flask("quiz", "import", "--startup")
    offer_first_account()
    flask("run", "--host", "0.0.0.0" if lan else "127.0.0.1", "--port", "5000")


def test(args: list[str], env: dict | None = None) -> int:
    """Run pytest in the environment; return its exit status."""
    return subprocess.run([BIN / "python", "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_server(durable: bool = False):
    """A throwaway PostgreSQL server on a free local port; yields its URL.

    initdb and pg_ctl refuse to run as root, so as root they run as the
    `postgres` system user. The server and its files are removed on exit,
    whatever happened. The test suite runs it with fsync off; the benchmark
    (``durable``) with PostgreSQL's defaults, as a school would.
    """
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-pg-"))
    if as_owner:
        shutil.chown(workdir, "postgres")
    data, port = workdir / "data", _free_port()
    started = False
    try:
        run(
            *as_owner,
            PG_BIN / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            stdout=subprocess.DEVNULL,
        )
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1"
        if not durable:
            options += " -c fsync=off"  # this server holds nothing worth keeping
        run(
            *as_owner,
            PG_BIN / "pg_ctl",
            "-D",
            data,
            "-l",
            workdir / "server.log",
            "-w",
            "-o",
            options,
            "start",
        )
        started = True
        run(
            *as_owner,
            PG_BIN / "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-U",
            "postgres",
            "quizapp_test",
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/quizapp_test"
    finally:
        if started:
            run(*as_owner, PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(workdir, ignore_errors=True)


def test_postgres(args: list[str]) -> int:
    """Run the suite with QUIZ_TEST_DATABASE_URL pointing at a throwaway server."""
    setup()
    with postgres_server() as url:
        env = {**os.environ, "QUIZ_TEST_DATABASE_URL": url, "QUIZ_REQUIRE_POSTGRES": "1"}
        return test(args, env=env)


def serve_production() -> None:
    """Set up, bring the database up to date, import the banks, run gunicorn."""
    setup()
    flask("db", "upgrade")
    flask("quiz", "import", "--startup")
    offer_first_account()
    os.execv(BIN / "gunicorn", [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")])


def bench(args: list[str]) -> int:
    """The load benchmark on SQLite and on a throwaway, durable PostgreSQL server."""
    setup()
    command = [BIN / "python", "-m", "tests.bench", *args]
    if "--only sqlite" in " ".join(args):  # no PostgreSQL server needed
        return subprocess.run(command, cwd=ROOT).returncode
    with postgres_server(durable=True) as url:
        return subprocess.run([*command, "--postgres-url", url], cwd=ROOT).returncode


def translations() -> None:
    """Extract interface strings and merge them into each language's catalogue."""
    setup()
    pot = TRANSLATIONS / "messages.pot"
    run(
        BIN / "pybabel",
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        pot,
        "quizapp",
    )
    run(
        BIN / "pybabel",
        "update",
        "-i",
        pot,
        "-d",
        TRANSLATIONS,
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )


def main(argv: list[str]) -> int:
    """Dispatch ``argv`` to a task."""
    task, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if task == "run":
        serve(lan="--lan" in rest)
    elif task == "test":
        setup()
        return test(rest)
    elif task == "test-postgres":
        return test_postgres(rest)
    elif task == "serve":
        serve_production()
    elif task == "bench":
        return bench(rest)
    elif task == "translations":
        translations()
    elif task == "setup":
        setup()
    else:
        print(__doc__)
        return 0 if task == "help" else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
