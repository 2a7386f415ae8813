"""A graceful restart while 1,000 phones hold their polls, against one with none.

``kill -HUP`` on gunicorn's master (a deploy, a changed setting) starts new
workers and tells the old ones to stop (SIGTERM); an old worker exits once
its requests are answered. A phone's held poll is answered when its
session moves on or after ``HOLD_S`` (20 s), so before the old workers
answered them at once (``post_worker_init`` in gunicorn.conf.py), a
restart in a lesson took 20 s. Here 25 sessions have 40 phones each
holding the live part of their page (``?part=live&wait=1`` with the
current version, as ``static/live.js`` asks); the master gets SIGHUP, and
the restart is over when every held poll was answered, every old worker
has exited and a new request on a new connection is answered (by a new
worker, the old ones being gone). The same restart with no poll held, on
the same server in the same rounds, is the bare baseline.

The phones are not joined as players: the server holds a live part before
Flask looks at who asks (``PollShortcut``), so a cookie would change
nothing here. After its answer each phone closes its connection: its
script's next poll reaches a new worker. (Sent here, that poll would stay
held there into the next round, and fill the new workers' limit.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import time
from collections import Counter

from tests.bench import servers
from tests.bench.client import Device
from tests.bench.pages import csrf_token, form_to
from tests.web.classroom_client import SESSION_OPTIONS

SESSIONS, PHONES = 25, 40
ROUNDS = 3
#: The phones' polls are all sent and held by then (checked: none answered).
SETTLE_S = 3.0
#: A restart not over by then is reported as failed (gunicorn's
#: graceful_timeout is 20 s: an old worker is killed after it).
GIVE_UP_S = 40.0
#: A probe's request, on a new connection each time.
PROBE_TIMEOUT_S = 5.0


async def sessions(server, teachers: list[str], password: str, questions: list[int], count: int):
    """``count`` teacher-paced sessions, started: [(public id, live version)]."""

    async def one(teacher: str) -> tuple[str, str]:
        device = Device(server.host, server.port)
        page = await device.get("/auth/login")
        form = {"csrf_token": csrf_token(page.text), "name": teacher, "password": password}
        await device.post("/auth/login", form)
        page = await device.get("/classroom/new")
        sent = await device.post(
            "/classroom/new",
            {
                **form_to(page.text, "/classroom/new").hidden,
                "questions": [str(q) for q in questions[:3]],
                **SESSION_OPTIONS,
            },
        )
        assert sent.status == 302, (sent.status, sent.text[:1000])
        host_path = sent.location
        page = await device.get(host_path)
        control = form_to(page.text, "/control")
        await device.post(f"{host_path}/control", {**control.hidden, "action": "start"})
        public_id = host_path.rsplit("/", 1)[1]
        state = await device.get(f"/play/s/{public_id}/state")
        return public_id, state.headers["etag"].strip('"')

    return await asyncio.gather(*(one(t) for t in teachers[:count]))


def _close(device: Device) -> None:
    for _reader, writer in device._idle:
        writer.close()


def _alive(pids: list[int]) -> list[int]:
    """Which of the old workers still exist (the master reaps them as they exit)."""
    alive = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 0)
            alive.append(pid)
    return alive


async def restart_once(server, held: list[tuple[str, str]]) -> dict:
    """One graceful restart (SIGHUP) with a phone holding each of ``held``'s polls."""
    answered: list[float] = []
    statuses: Counter = Counter()
    early = 0
    sighup = asyncio.Event()

    async def phone(public_id: str, version: str) -> None:
        nonlocal early
        device = Device(server.host, server.port)
        path = f"/play/s/{public_id}?part=live&wait=1"
        headers = {"If-None-Match": f'"{version}"'}
        try:
            reply = await device.get(path, headers)
        except (ConnectionError, TimeoutError) as error:  # the restart dropped it
            statuses[type(error).__name__] += 1
            answered.append(time.monotonic())
            return
        if not sighup.is_set():
            early += 1  # not held (above a worker's limit): answered before the restart
            statuses[f"{reply.status} before the restart"] += 1
            return
        answered.append(time.monotonic())
        statuses[reply.status] += 1
        _close(device)

    old = servers.workers(server)
    phones = [asyncio.create_task(phone(p, v)) for p, v in held]
    await asyncio.sleep(SETTLE_S if held else 0.5)
    began = time.monotonic()
    sighup.set()
    os.kill(server.process.pid, signal.SIGHUP)
    gone_at = served_at = None
    try:
        while time.monotonic() - began < GIVE_UP_S:
            if gone_at is None and not _alive(old):
                gone_at = time.monotonic()
            if gone_at is not None:
                # A new connection: answered by a new worker, the old ones being gone.
                with contextlib.suppress(OSError, asyncio.TimeoutError):
                    probe = Device(server.host, server.port)
                    reply = await asyncio.wait_for(probe.get("/"), PROBE_TIMEOUT_S)
                    _close(probe)
                    if reply.status == 200 and len(answered) + early >= len(held):
                        served_at = time.monotonic()
                        break
            await asyncio.sleep(0.02)
    finally:
        for task in phones:
            task.cancel()
        await asyncio.gather(*phones, return_exceptions=True)
    last = max(answered, default=None)

    def since(moment: float | None) -> float | None:
        return None if moment is None else round(moment - began, 2)

    return {
        "phones": len(held),
        "held": len(held) - early,
        "seconds": since(served_at),
        "last_poll_answered_s": since(last),
        "old_workers_gone_s": since(gone_at),
        "statuses": dict(statuses),
        "new_workers": len(servers.workers(server)),
    }


async def scenario(server, teachers, password, questions, sessions_count=SESSIONS) -> dict:
    """Restarts with and without held polls, in turn; the median of each."""
    held = await sessions(server, teachers, password, questions, sessions_count)
    phones = [pair for pair in held for _ in range(PHONES)]
    bare, loaded = [], []
    for _round in range(ROUNDS):
        # In turn, so that whatever else the machine does falls on both alike.
        bare.append(await restart_once(server, []))
        await asyncio.sleep(1)  # the new workers settle
        loaded.append(await restart_once(server, phones))
        await asyncio.sleep(1)

    def median(rounds: list[dict]) -> float | None:
        seconds = [r["seconds"] for r in rounds]
        return None if None in seconds else statistics.median(seconds)

    held_s, bare_s = median(loaded), median(bare)
    return {
        "phones": len(phones),
        "sessions": sessions_count,
        "held": {"seconds": held_s, "rounds": loaded},
        "bare": {"seconds": bare_s, "rounds": bare},
        "ratio": round(held_s / bare_s, 2) if held_s and bare_s else None,
    }
