"""Throttling: what it costs a server at saturation, and that it holds under attack.

Throttling (``quizapp/throttle.py``) keeps its counters in the database,
so it costs requests on its routes a read or more. :func:`cost` measures
the answer endpoint at saturation on two gunicorns of the same settings
and database, one with ``QUIZ_THROTTLE=0``, in turn, round by round (the
same players, their cookies carried from one to the other).

:class:`Guesser` is the attack the limits are for: wrong passwords for one
account, or session codes that name no session, sent as fast as the server
answers, from a client address of its own (another ``127.0.0.x``: the limits
count per address). :func:`attack` runs one of each for a few seconds,
then asks, while they are locked out, with the right password (from
another address: the account is locked) and the right code (from the
guesser's address: the address is locked). :func:`class_under_attack`
plays one class of ``tests/bench/classes.py`` alone, then again while two
more guessers are at it, on the same server in the same run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from limits import parse_many

from quizapp.domain.live import CODE_DIGITS
from quizapp.throttle import LIMITS
from tests.bench import saturation, servers, slow
from tests.bench.client import Device, Reply
from tests.bench.pages import csrf_token
from tests.bench.stats import summary_ms

#: How long the guessers of :func:`attack` send; within the shortest
#: window (a minute), so that the figure let through is one window's.
ATTACK_S = 10.0
#: Connections of one guesser, each sending its next guess when the last
#: is answered. With one, a guesser's attempts are counted one after the
#: other, and exactly the limit is let through; with more, each may pass
#: the check while another's failure is being counted (see
#: ``quizapp/throttle.py``): up to the limit plus one per other connection.
CONNECTIONS = 1
#: The class of :func:`class_under_attack`: fewer questions, a shorter
#: arrival, think time and discussion than the classes', so that it plays
#: in under a minute (the guessers' limits' shortest window: what they let
#: through is then one window's) and the scenario in a minute or two.
CLASS_PLAN = {"questions": 3, "join_window_s": 5.0, "think_median_s": 2.0, "discuss_s": 2.0}
#: Client addresses: the guessers', then one that knows the password.
PASSWORDS_FROM, CODES_FROM, OWNER_FROM = "127.0.0.2", "127.0.0.3", "127.0.0.4"
ATTACKER_PASSWORDS_FROM, ATTACKER_CODES_FROM = "127.0.0.5", "127.0.0.6"


LOGIN = ("QUIZ_LIMIT_LOGIN_ACCOUNT", "QUIZ_LIMIT_LOGIN_ADDRESS")
JOIN_CODE = ("QUIZ_LIMIT_JOIN_CODE",)


def first_refusal(env: dict, names: tuple[str, ...]) -> dict:
    """Attempts let through before the first refusal, and in how long a
    window: the tier of the limits ``names`` that runs out first, as the
    server reads them (``QUIZ_LIMIT_*``)."""
    tiers = [item for name in names for item in parse_many(env.get(name) or LIMITS[name])]
    first = min(tiers, key=lambda item: (item.amount, item.get_expiry()))
    return {"limit": first.amount, "window_s": first.get_expiry()}


async def cost(on, off, players, choices, rounds: int, warmup_s: float, measure_s: float):
    """Answers at saturation on ``on`` (throttled) and ``off``, in turn;
    the order alternates, so that neither always comes first. Returns each
    server's rounds and, per round, its CPU time per answer (ms, all its
    processes): a figure that other work on the machine disturbs less than
    the rate."""
    devices = {
        on.port: [p.device for p in players],
        off.port: [Device(off.host, off.port, p.device.language) for p in players],
    }
    measured: dict[int, list[saturation.Throughput]] = {on.port: [], off.port: []}
    cpu_ms: dict[int, list[float]] = {on.port: [], off.port: []}
    for index in range(rounds):
        for server in (on, off) if index % 2 == 0 else (off, on):
            for player, device in zip(players, devices[server.port], strict=True):
                if device is not player.device:
                    device.cookies = dict(player.device.cookies)
                    player.device = device
            used = servers.cpu_seconds(server)
            measured[server.port].append(
                await saturation.answers(players, choices, warmup_s, measure_s)
            )
            used = servers.cpu_seconds(server) - used
            sent = sum(measured[server.port][-1].total.values())
            cpu_ms[server.port].append(round(used * 1000 / sent, 3))
    return measured[on.port], measured[off.port], cpu_ms[on.port], cpu_ms[off.port]


@dataclass
class Guesses:
    """What one guesser was answered, in the order the replies came."""

    statuses: Counter = field(default_factory=Counter)
    #: Answered other than 429: the guesses the server looked at.
    let_through: int = 0
    #: Of those, before the first 429 came.
    before_first_refusal: int | None = None
    refused_seconds: list[float] = field(default_factory=list)
    #: ``Retry-After`` of the first 429 (seconds).
    retry_after_s: int | None = None
    unanswered: int = 0
    seconds: float = 0.0

    def take(self, reply: Reply) -> None:
        self.statuses[reply.status] += 1
        if reply.status != 429:
            self.let_through += 1
            return
        self.refused_seconds.append(reply.seconds)
        if self.before_first_refusal is None:
            self.before_first_refusal = self.let_through
            self.retry_after_s = int(reply.headers.get("retry-after", "0"))

    def summary(self) -> dict:
        sent = sum(self.statuses.values())
        return {
            "requests": sent,
            "per_s": round(sent / self.seconds, 1) if self.seconds else None,
            "seconds": round(self.seconds, 1),
            "let_through": self.let_through,
            "let_through_before_first_429": self.before_first_refusal,
            "refused": self.statuses[429],
            "refused_latency_ms": summary_ms(self.refused_seconds),
            "retry_after_s": self.retry_after_s,
            "statuses": {str(s): n for s, n in sorted(self.statuses.items())},
            "errors": sum(n for s, n in self.statuses.items() if s >= 500),
            "unanswered": self.unanswered,
        }


class Guesser:
    """Wrong passwords for ``account`` (``kind="password"``) or codes that
    name no session (``kind="code"``), from the address ``source``, on
    ``connections`` connections, until told to stop."""

    def __init__(self, server, kind: str, source: str, connections: int, account: str = ""):
        self.server, self.kind, self.source = server, kind, source
        self.connections, self.account = connections, account
        self.guesses = Guesses()
        self._rng = random.Random(f"{kind}{source}")
        #: Codes not to guess: those of sessions known to be running.
        self.avoid: set[str] = set()

    def _guess(self, token: str, sent: int) -> tuple[str, dict]:
        if self.kind == "password":
            form = {"name": self.account, "password": f"guess {sent}", "next": ""}
            return "/auth/login", {"csrf_token": token, **form}
        code = ""
        while not code or code in self.avoid:
            code = f"{self._rng.randrange(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        return "/play/", {"csrf_token": token, "code": code, "nickname": f"guess{sent}"}

    async def _connection(self, stop: asyncio.Event) -> None:
        device = Device(self.server.host, self.server.port, source=self.source)
        page = await device.get("/auth/login" if self.kind == "password" else "/play/")
        token = csrf_token(page.text)
        sent = 0
        while not stop.is_set():
            path, form = self._guess(token, sent)
            sent += 1
            try:
                self.guesses.take(await device.post(path, form))
            except (ConnectionError, TimeoutError):
                self.guesses.unanswered += 1

    async def run(self, stop: asyncio.Event) -> Guesses:
        started = time.monotonic()
        await asyncio.gather(*(self._connection(stop) for _ in range(self.connections)))
        self.guesses.seconds = time.monotonic() - started
        return self.guesses


async def _refused(server, source: str, path: str, form: dict) -> dict:
    """The status (and ``Retry-After``) of one right attempt, as a browser sends it."""
    device = Device(server.host, server.port, source=source)
    page = await device.get(path)
    reply = await device.post(path, {"csrf_token": csrf_token(page.text), **form})
    return {"status": reply.status, "retry_after_s": reply.headers.get("retry-after")}


async def attack(
    server, env: dict, account: str, password: str, code: str, connections: int = CONNECTIONS
) -> dict:
    """Two guessers for ``ATTACK_S``; then the right password and the right code."""
    passwords = Guesser(server, "password", PASSWORDS_FROM, connections, account)
    codes = Guesser(server, "code", CODES_FROM, connections)
    codes.avoid.add(code)
    stop = asyncio.Event()
    cpu_s = servers.cpu_seconds(server)
    running = asyncio.gather(passwords.run(stop), codes.run(stop))
    await asyncio.sleep(ATTACK_S)
    stop.set()
    await running
    cpu_s = servers.cpu_seconds(server) - cpu_s
    guesses = sum(sum(g.guesses.statuses.values()) for g in (passwords, codes))
    right_password = await _refused(
        server, OWNER_FROM, "/auth/login", {"name": account, "password": password, "next": ""}
    )
    right_code = await _refused(server, CODES_FROM, "/play/", {"code": code, "nickname": "late"})
    return {
        "seconds": ATTACK_S,
        "connections": connections,
        # The server's CPU time (every process, both guessers) per guess answered.
        "server_cpu_ms_per_guess": round(cpu_s * 1000 / guesses, 2) if guesses else None,
        "passwords": passwords.guesses.summary() | first_refusal(env, LOGIN),
        "codes": codes.guesses.summary() | first_refusal(env, JOIN_CODE),
        "right_password_while_locked": right_password,
        "right_code_while_locked": right_code,
    }


async def class_under_attack(
    server, env, teacher, account, password, pool, plan, connections: int = CONNECTIONS
) -> dict:
    """A short class alone, then the same with guessers at it all along."""
    plan = dataclasses.replace(plan, classes=1, **CLASS_PLAN)
    rng = random.Random(plan.seed)
    host, port = server.host, server.port
    calm = await slow.one_class(
        host, port, teacher, password, rng.sample(pool, plan.questions), plan
    )
    passwords = Guesser(server, "password", ATTACKER_PASSWORDS_FROM, connections, account)
    codes = Guesser(server, "code", ATTACKER_CODES_FROM, connections)
    stop = asyncio.Event()
    running = asyncio.gather(passwords.run(stop), codes.run(stop))
    held = await slow.one_class(
        host,
        port,
        teacher,
        password,
        rng.sample(pool, plan.questions),
        dataclasses.replace(plan, seed=plan.seed + 1),
    )
    stop.set()
    await running
    held["attacker"] = {
        "passwords": passwords.guesses.summary() | first_refusal(env, LOGIN),
        "codes": codes.guesses.summary() | first_refusal(env, JOIN_CODE),
    }
    return {
        "students": plan.students,
        "questions": plan.questions,
        "connections": connections,
        "alone": calm,
        "with_attacker": held,
        "ratios": {
            f"answer_{share}": slow.ratio(held, calm, "answer_latency_ms", share)
            for share in ("p50", "p95", "p99")
        }
        | {"update_delay_p95": slow.ratio(held, calm, "update_delay_ms", "p95")},
    }
