"""The servers under test: gunicorn started from the repository's config file.

Both quizapp and the bare baseline run under ``gunicorn.conf.py``, the
production settings, so that any difference is the app's own. While a
server runs, a thread samples its memory: the proportional set size (PSS)
of the arbiter and every worker, summed, which counts memory the forked
workers share once rather than once per worker.

:func:`lan` starts the classroom network's set-up as ``python3 tasks.py
serve --lan`` does, with the same functions: nginx from
``nginx.conf.template`` in front of that gunicorn.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

import tasks

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
START_TIMEOUT_S = 60


@dataclass
class Server:
    """A running gunicorn."""

    host: str
    port: int
    process: subprocess.Popen
    error_log: Path
    peak_pss: int = 0
    #: Behind a front (:func:`lan`): the gunicorn it passes requests to.
    backend: Server | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pss_kib(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
    return int(match.group(1)) if match else 0


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                # Field 5 of stat is the process group; field 3 the state, where
                # Z (a zombie) and X (dead) have exited and are not yet reaped.
                if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                    pids.append(int(entry.name))
    return pids


def workers(server: Server) -> list[int]:
    """The pids of gunicorn's workers now (its process group, less the master)."""
    return [pid for pid in _group_pids(server.process.pid) if pid != server.process.pid]


def cpu_seconds(server: Server) -> float:
    """CPU time (user and system) used so far by the server's running processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _group_pids(server.process.pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime and stime (fields 14, 15)
    return total / ticks


def _sample_memory(server: Server, sampling: threading.Event) -> None:
    while not sampling.wait(0.25):
        total = sum(_pss_kib(pid) for pid in _group_pids(server.process.pid)) * 1024
        server.peak_pss = max(server.peak_pss, total)


def flask_command(env: dict, *args: str) -> None:
    """Run ``flask --app quizapp ARGS`` as a deployment would; raise with its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "quizapp", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def empty_database(url: str) -> None:
    """Drop every table, ``alembic_version`` included (a PostgreSQL database is reused)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for name in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


def one_value(url: str, statement):
    """The single value ``statement`` selects from the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(statement).scalar_one()
    finally:
        engine.dispose()


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn's arbiter gracefully, then make sure no worker of its group is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    # The arbiter and its workers form the process group started for it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


def spawn(command: list[str], env: dict) -> subprocess.Popen:
    """Start a server process in the repository, quiet, in a process group of
    its own (so that :func:`stop` ends its workers too)."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def app_environment(database_url: str, secret: str | None = None) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret or secrets.token_hex(32),
    }


@contextlib.contextmanager
def gunicorn(
    app: str, env: dict, folder: Path, settings: dict | None = None, port: int | None = None
) -> Iterator[Server]:
    """Start gunicorn on ``app`` with the repository's config (``settings``
    override it, as command-line options would); stop it afterwards."""
    port = port or free_port()
    error_log = folder / f"gunicorn-{port}.log"
    command = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG)]
    command += ["--bind", f"127.0.0.1:{port}", "--error-logfile", str(error_log)]
    for name, value in (settings or {}).items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    command.append(app)
    process = spawn(command, env)
    server = Server("127.0.0.1", port, process, error_log)
    sampling = threading.Event()
    sampler = threading.Thread(target=_sample_memory, args=(server, sampling), daemon=True)
    try:
        _wait_until_serving(server)
        sampler.start()
        yield server
    finally:
        sampling.set()
        stop(process)
        if sampler.is_alive():
            sampler.join()


@contextlib.contextmanager
def lan(app: str, env: dict, folder: Path, settings: dict | None = None) -> Iterator[Server]:
    """``app`` served as ``python3 tasks.py serve --lan`` serves it: gunicorn on
    a loopback port, nginx in front. Yields nginx's address (its memory
    sampled too); ``.backend`` is gunicorn."""
    upstream_port = free_port()
    upstream = f"127.0.0.1:{upstream_port}"
    backend_env = tasks.lan_environment(env, upstream)
    with gunicorn(app, backend_env, folder, settings, upstream_port) as backend:
        port = free_port()
        error_log = folder / f"nginx-{port}.log"
        with (
            error_log.open("w") as stderr,
            tasks.nginx(f"127.0.0.1:{port}", upstream, env, stderr) as process,
        ):
            front = Server("127.0.0.1", port, process, error_log)
            front.backend = backend
            sampling = threading.Event()
            sampler = threading.Thread(target=_sample_memory, args=(front, sampling), daemon=True)
            sampler.start()
            try:
                yield front
            finally:
                sampling.set()
                sampler.join()


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            urllib.request.urlopen(server.base + "/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any answer will do: the baseline has no home page
        except OSError:
            time.sleep(0.2)
    log = server.error_log.read_text(errors="replace") if server.error_log.exists() else ""
    raise RuntimeError(f"gunicorn did not start (exit {server.process.poll()}):\n{log}")
