#!/usr/bin/env python3
"""Project tasks, needing nothing but Python 3.11+ and pip.

    python3 tasks.py run [--lan]     set up, migrate, import the banks, serve on :5000
                                     (--lan: reachable from the classroom network)
    python3 tasks.py test [ARGS]     set up and run the whole test suite (ARGS go to pytest)
    python3 tasks.py setup           only set up: .venv, the project, the translations
    python3 tasks.py test-postgres [ARGS]
                                     the same suite against a throwaway PostgreSQL server
    python3 tasks.py translations    re-extract interface strings into the catalogues
    python3 tasks.py screenshots     retake the pictures in docs/images from the browser
                                     tests (needs Chromium, see docs/development.md)
    python3 tasks.py docs [--serve]  build the documentation site into docs/_build/html
                                     (--serve: then serve it at http://127.0.0.1:8001)
    python3 tasks.py serve [--lan]   production: set up, migrate, import, run gunicorn
                                     with gunicorn.conf.py (QUIZ_BIND, default 127.0.0.1:8000)
                                     (--lan: for the classroom network, nginx in front on
                                     QUIZ_LAN_BIND, default 0.0.0.0:8000; needs nginx)
    python3 tasks.py bench [ARGS]    the load benchmark, SQLite and a throwaway PostgreSQL
                                     (ARGS go to python -m tests.bench; see docs/development.md)

Set-up creates .venv, installs the project with its test dependencies (again
only when pyproject.toml changes) and compiles the translations.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".setup-stamp"
TRANSLATIONS = ROOT / "quizapp" / "translations"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
NGINX_TEMPLATE = ROOT / "nginx.conf.template"
#: Where ``serve --lan`` listens unless QUIZ_LAN_BIND says otherwise.
LAN_BIND = "0.0.0.0:8000"
#: The app's upload limit when QUIZ_MAX_UPLOAD_BYTES is not set (quizapp/config.py).
DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 * 1024


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


def serve_production(lan: bool = False) -> int:
    """Set up, bring the database up to date, import the banks, run gunicorn
    (with nginx in front for the classroom network: ``lan``)."""
    setup()
    flask("db", "upgrade")
    flask("quiz", "import", "--startup")
    offer_first_account()
    gunicorn = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
    if not lan:
        os.execv(gunicorn[0], gunicorn)
    listen = os.environ.get("QUIZ_LAN_BIND") or LAN_BIND
    upstream = f"127.0.0.1:{_free_port()}"
    with nginx(listen, upstream) as front:
        print(f"Serving the classroom network on {listen}: nginx, then gunicorn on {upstream}")
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=lan_environment(os.environ, upstream))
        # A service manager's SIGTERM stops gunicorn gracefully, then nginx;
        # Ctrl-C reaches both at once (one process group).
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        try:
            while server.poll() is None:
                if front.poll() is not None:
                    print("nginx stopped: stopping gunicorn", file=sys.stderr)
                    server.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=1)
        except KeyboardInterrupt:
            server.wait()
        return server.returncode


def lan_environment(env, upstream: str) -> dict:
    """gunicorn's environment behind nginx: bound to ``upstream`` (a loopback
    address), trusting the one proxy in front for the client's address."""
    return {**env, "QUIZ_BIND": upstream, "QUIZ_PROXY_HOPS": "1"}


def nginx_config(listen: str, upstream: str, env=os.environ) -> str:
    """nginx.conf.template with its addresses and body limit filled in."""
    app_limit = int(env.get("QUIZ_MAX_UPLOAD_BYTES") or DEFAULT_MAX_UPLOAD_BYTES)
    # Above the app's limit, so that the app's own page refuses what is over it.
    values = {"listen": listen, "upstream": upstream, "max_body": str(app_limit + 2**20)}
    text = NGINX_TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def nginx_binary() -> str | None:
    """Where nginx is installed (Debian's is in /usr/sbin), if it is."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


@contextlib.contextmanager
def nginx(listen: str, upstream: str, env=os.environ, stderr=None) -> Iterator[subprocess.Popen]:
    """nginx on ``listen`` in front of ``upstream`` until the block ends.

    Its filled-in configuration, process id and buffered request bodies
    are in a folder of its own, removed afterwards; when root starts
    nginx, its workers run as nobody, whom the folder lets in.
    """
    binary = nginx_binary()
    if not binary:
        raise SystemExit(
            "The classroom network needs nginx in front of gunicorn, to hold slow"
            " clients (docs/operations.md, 'The classroom network'): apt-get install nginx"
        )
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-nginx-"))
    workdir.chmod(0o755)
    config = workdir / "nginx.conf"
    config.write_text(nginx_config(listen, upstream, env))
    command = [binary, "-p", str(workdir), "-c", str(config), "-e", "stderr"]
    process = subprocess.Popen(command, stderr=stderr, start_new_session=True)
    try:
        host, _, port = listen.rpartition(":")
        host = {"0.0.0.0": "127.0.0.1", "[::]": "::1"}.get(host, host.strip("[]"))
        deadline = time.monotonic() + 10
        while process.poll() is None:
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"nginx did not listen on {listen} within 10 s") from None
                time.sleep(0.05)
        else:
            raise SystemExit(
                f"nginx did not start (exit {process.returncode}); see its error output"
            )
        yield process
    finally:
        if process.poll() is None:
            process.terminate()  # fast shutdown: gunicorn has answered what it could
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def bench(args: list[str]) -> int:
    """The load benchmark on SQLite and on a throwaway, durable PostgreSQL server."""
    setup()
    command = [BIN / "python", "-m", "tests.bench", *args]
    if "--only sqlite" in " ".join(args):  # no PostgreSQL server needed
        return subprocess.run(command, cwd=ROOT).returncode
    with postgres_server(durable=True) as url:
        return subprocess.run([*command, "--postgres-url", url], cwd=ROOT).returncode


#: Where the README's and the docs' pictures live (made by ``screenshots``).
IMAGES = ROOT / "docs" / "images"


def screenshots() -> int:
    """Retake every picture in docs/images: tests/browser/test_screenshots.py,
    run alone with its pictures going there. The old ones go first, so a
    picture of a screen no test takes any more does not linger."""
    setup()
    for old in IMAGES.glob("*.png"):
        old.unlink()
    env = {**os.environ, "QUIZ_SCREENSHOTS": str(IMAGES), "QUIZ_REQUIRE_BROWSER": "1"}
    return test(["tests/browser/test_screenshots.py", "-p", "no:cacheprovider", "-q"], env=env)


DOCS = ROOT / "docs"


def docs(serve: bool = False) -> int:
    """Build the docs site (warnings, such as a link to a missing heading, are
    errors); with ``serve``, serve it on this machine until interrupted."""
    setup()
    built = DOCS / "_build" / "html"
    status = subprocess.run(
        [BIN / "python", "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", DOCS, built],
        cwd=ROOT,
    ).returncode
    if status or not serve:
        return status
    print("Serving the docs at http://127.0.0.1:8001 (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(
            [BIN / "python", "-m", "http.server", "8001", "--bind", "127.0.0.1", "-d", built]
        )
    return 0


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
        return serve_production(lan="--lan" in rest)
    elif task == "bench":
        return bench(rest)
    elif task == "translations":
        translations()
    elif task == "screenshots":
        return screenshots()
    elif task == "docs":
        return docs(serve="--serve" in rest)
    elif task == "setup":
        setup()
    else:
        print(__doc__)
        return 0 if task == "help" else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
