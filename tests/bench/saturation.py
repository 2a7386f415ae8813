"""Throughput at saturation: a closed loop of clients sending as fast as answered.

The same loop measures quizapp's answer endpoint against the bare INSERT
and quizapp's live-update endpoint against the bare JSON document, with the
same number of clients, so the ratio is of the endpoints and nothing else.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tests.bench.client import Device, Reply
from tests.bench.pages import csrf_token

CLIENTS = 16


@dataclass
class Throughput:
    per_second: float
    seconds: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    #: Several rounds merged: the rate of each.
    rates: list[float] = field(default_factory=list)


async def closed_loop(
    send: Callable[[int], Awaitable[Reply]], warmup_s: float, measure_s: float
) -> Throughput:
    """``CLIENTS`` loops calling ``send(client)``; replies counted inside the window."""
    start = time.monotonic()
    window = (start + warmup_s, start + warmup_s + measure_s)
    result = Throughput(0.0)

    async def client(index: int):
        while time.monotonic() < window[1]:
            sent = time.monotonic()
            reply = await send(index)
            result.total[reply.status] += 1
            if window[0] <= sent and time.monotonic() <= window[1]:
                result.statuses[reply.status] += 1
                result.seconds.append(reply.seconds)

    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    ok = sum(n for status, n in result.statuses.items() if status < 400)
    result.per_second = ok / measure_s
    return result


def median_round(rounds: list[Throughput]) -> Throughput:
    """The round with the median rate; its latencies are those of every round."""
    ordered = sorted(rounds, key=lambda r: r.per_second)
    middle = ordered[len(ordered) // 2]
    merged = Throughput(middle.per_second)
    for each in rounds:
        merged.seconds += each.seconds
        merged.statuses.update(each.statuses)
        merged.total.update(each.total)
    merged.rates = [round(r.per_second, 1) for r in rounds]
    return merged


async def baseline_inserts(host, port, warmup_s, measure_s) -> Throughput:
    devices = [Device(host, port) for _ in range(CLIENTS)]
    return await closed_loop(
        lambda i: devices[i].post("/insert", {"payload": f"answer from client {i}"}),
        warmup_s,
        measure_s,
    )


async def baseline_json(host, port, warmup_s, measure_s) -> Throughput:
    devices = [Device(host, port) for _ in range(CLIENTS)]
    return await closed_loop(lambda i: devices[i].get("/json"), warmup_s, measure_s)


@dataclass
class Player:
    device: Device
    live: str
    token: str
    next_position: int = 0


async def join_players(host, port, code: str, count: int) -> list[Player]:
    async def join(index: int) -> Player:
        device = Device(host, port)
        page = await device.get(f"/play/{code}")
        sent = await device.post(
            "/play/", {"csrf_token": csrf_token(page.text), "code": code, "nickname": f"p{index}"}
        )
        assert sent.status == 302, (sent.status, sent.text[:500])
        page = await device.get(sent.location)
        return Player(device, sent.location, csrf_token(page.text))

    players = []
    for first in range(0, count, CLIENTS):  # a few at a time: joining is not measured
        players += await asyncio.gather(
            *(join(i) for i in range(first, min(count, first + CLIENTS)))
        )
    return players


async def answers(players: list[Player], choices: list[str], warmup_s, measure_s) -> Throughput:
    """Students of a student-paced session answering question after question.

    Each client answers for its own players in turn, so no two requests of
    one player overlap and every answer is to that player's current question.
    """
    own = [players[i::CLIENTS] for i in range(CLIENTS)]
    turns = [0] * CLIENTS

    async def send(client: int) -> Reply:
        mine = own[client]
        player = mine[turns[client] % len(mine)]
        turns[client] += 1
        position = player.next_position
        if position >= len(choices):
            raise RuntimeError("the saturation session ran out of questions")
        player.next_position += 1
        return await player.device.post(
            f"{player.live}/answer",
            {
                "csrf_token": player.token,
                "position": str(position),
                "round": "1",
                "answer": choices[position],
            },
        )

    return await closed_loop(send, warmup_s, measure_s)


async def polls(players: list[Player], version: str, warmup_s, measure_s) -> Throughput:
    """Live-update polls that find nothing changed: a 304, as nearly every poll is."""
    return await closed_loop(
        lambda i: players[i].device.get(
            f"{players[i].live}/state", {"If-None-Match": f'"{version}"'}
        ),
        warmup_s,
        measure_s,
    )
