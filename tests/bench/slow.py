"""Slow and idle clients: a class of 40 played without, then with, 1,500 of them.

One anonymous client on the classroom network can open connections and
send requests a byte every few seconds, or open them and send nothing.
Against gunicorn alone, 1,500 half-sent requests took every thread of its
workers (the threaded workers read a request in the thread that then
serves it), and four half-sent bodies per process took every place the app
lets work at once (``WorkPlaces`` in ``quizapp/play/polls.py``): pages
timed out until the client let go. The benchmark runs this scenario on the
classroom network's set-up, nginx in front (``nginx.conf.template``,
:func:`tests.bench.servers.lan`).

:class:`SlowClients` keeps ``count`` such connections open, a third of
each kind: the request line and headers begun, never finished; a
``POST`` whose headers announce a body that then comes a byte at a time;
and connections with nothing sent. One the server closes (a time limit
ran out) is opened again at once, as an attacker's would be, so the
server holds about ``count`` all along. Meanwhile one class plays as in
``tests/bench/classes.py``; the same class without the slow clients, on
the same server in the same run, gives the figures to compare with.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.bench import classes
from tests.bench.stats import LoopLag, summary_ms

COUNT = 1500
#: A byte every this many seconds on each half-sent request.
BYTE_EVERY_S = 3.0
KINDS = ("headers", "body", "idle")
#: Connections opened at once while ramping up (the listen backlog is 2048).
RAMP_BATCH = 100


def _begun(kind: str, host: str) -> tuple[bytes, bytes]:
    """What a connection of ``kind`` sends at once, and what then comes byte by byte."""
    if kind == "headers":
        return f"GET /play/ HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode(), b"x" * 8000
    if kind == "body":
        body = b"code=" + b"1" * 65531
        head = (
            f"POST /play/ HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body[:1], body[1:]
    return b"", b""


@dataclass
class Held:
    """What the slow clients saw."""

    opened: Counter = field(default_factory=Counter)
    #: Closed by the server (or answered: a 400 or 408 ends one too).
    closed: Counter = field(default_factory=Counter)
    refused: int = 0
    open_now: int = 0
    #: How many were open, sampled every second while the class played.
    samples: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "opened": dict(self.opened),
            "closed_by_server": dict(self.closed),
            "refused": self.refused,
            "open_median": statistics.median(self.samples) if self.samples else None,
            "open_min": min(self.samples) if self.samples else None,
        }


class SlowClients:
    """``count`` slow or idle connections kept open until the block ends."""

    def __init__(self, host: str, port: int, count: int = COUNT, seed: int = 20):
        self.host, self.port, self.count = host, port, count
        self.held = Held()
        self._rng = random.Random(seed)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def _connection(self, kind: str) -> None:
        first, rest = _begun(kind, f"{self.host}:{self.port}")
        while not self._stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.held.refused += 1
                await asyncio.sleep(1)
                continue
            self.held.opened[kind] += 1
            self.held.open_now += 1
            ended = asyncio.ensure_future(reader.read(1))  # the server answers or closes
            stopped = asyncio.ensure_future(self._stop.wait())
            try:
                writer.write(first)
                # A random phase, so that the bytes do not all come at once.
                pause = self._rng.uniform(0, BYTE_EVERY_S)
                for byte in itertools.cycle(rest) if rest else itertools.repeat(None):
                    await asyncio.wait({ended, stopped}, timeout=pause)
                    if ended.done() or stopped.done():
                        break
                    pause = BYTE_EVERY_S
                    if byte is not None:
                        writer.write(bytes([byte]))
                if ended.done() and not stopped.done():
                    self.held.closed[kind] += 1
            finally:
                self.held.open_now -= 1
                for waiting in (ended, stopped):
                    waiting.cancel()
                writer.close()

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(1)
            self.held.samples.append(self.held.open_now)

    async def __aenter__(self) -> SlowClients:
        kinds = itertools.cycle(KINDS)
        for first in range(0, self.count, RAMP_BATCH):
            for _ in range(min(RAMP_BATCH, self.count - first)):
                self._tasks.append(asyncio.create_task(self._connection(next(kinds))))
            await asyncio.sleep(0.1)
        deadline = time.monotonic() + 30
        while self.held.open_now < self.count and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        self.held.samples.clear()
        self._tasks.append(asyncio.create_task(self._sample()))
        return self

    async def __aexit__(self, *exc) -> None:
        self._stop.set()
        self._tasks[-1].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks)


async def one_class(host, port, teacher, password, question_ids, plan) -> dict:
    """One class playing; what it measured, or why it could not go on."""
    before = asyncio.all_tasks()
    failed = None
    with LoopLag() as lag:
        try:
            outcome = await classes.play(plan, host, port, [teacher], password, [question_ids])
        except Exception as error:  # a page that never came, or came without its form
            # The class cannot go on: its students and projector stop too.
            for task in asyncio.all_tasks() - before:
                if task is not asyncio.current_task():
                    task.cancel()
            failed = repr(error)
            outcome = classes.Outcome(errors=[f"the class stopped: {failed}"])
    return {
        "failed": failed,
        "seconds": round(outcome.ended - outcome.started, 1),
        "requests": outcome.requests,
        "answer_latency_ms": summary_ms(outcome.answer_seconds),
        "update_delay_ms": summary_ms(outcome.delays()),
        "reload_latency_ms": summary_ms(outcome.reload_seconds),
        "errors": outcome.errors[:10],
        "error_count": len(outcome.errors),
        "connection_failures": len(outcome.connection_failures),
        "generator_lag_ms": summary_ms(lag.lags),
    }


def ratio(slow: dict, calm: dict, name: str, share: str) -> float | None:
    """``slow``'s figure over ``calm``'s (``name``, ``share``); None if either is missing."""
    try:
        return round(slow[name][share] / calm[name][share], 2)
    except (KeyError, TypeError, ZeroDivisionError):
        return None


async def scenario(server, teacher, password, question_pool, plan, count=COUNT) -> dict:
    """The class of ``plan`` alone, then the same class with ``count`` slow clients."""
    plan = dataclasses.replace(plan, classes=1)
    rng = random.Random(plan.seed)
    calm = await one_class(
        server.host, server.port, teacher, password, rng.sample(question_pool, plan.questions), plan
    )
    async with SlowClients(server.host, server.port, count, plan.seed) as slow:
        held = await one_class(
            server.host,
            server.port,
            teacher,
            password,
            rng.sample(question_pool, plan.questions),
            dataclasses.replace(plan, seed=plan.seed + 1),
        )
        held["slow_clients"] = slow.held.summary()
    return {
        "count": count,
        "students": plan.students,
        "questions": plan.questions,
        "byte_every_s": BYTE_EVERY_S,
        "alone": calm,
        "with_slow": held,
        "ratios": {
            f"answer_{share}": ratio(held, calm, "answer_latency_ms", share)
            for share in ("p50", "p95", "p99")
        }
        | {"update_delay_p95": ratio(held, calm, "update_delay_ms", "p95")},
    }
