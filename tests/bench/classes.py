"""Whole classes over HTTP: teachers, projectors and students' phones.

Every class is a teacher who logs in, creates a teacher-paced session and
runs it from the projector view, and students who join with the code and
then behave as ``static/live.js`` makes a phone behave: a request for the
page's live part with ``If-None-Match`` and ``?wait=1``, held by the server
until the session moves on and then answered with the new part, one after
the other; and the answer form sent with ``?part=live``, its reply the next
screen. A student answers after a think time drawn so that
most answers come in a burst in the first seconds after the question
opens; some reload the page while thinking, some send their answer twice
at once (a double tap, two tabs), and one whose answer crosses the
teacher's "close" is told it came too late. Every student keeps what each answer was told
(recorded / first answer stands / too late); :func:`verify` then holds the
database to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from quizapp.models import ClassSession, Player, PlayerAnswer
from tests.bench.client import Device
from tests.bench.pages import attribute, csrf_token, flash_kinds, form_to, join_code
from tests.web.classroom_client import SESSION_OPTIONS

POLL_S = 1.0  # live.js's interval


@dataclass
class Plan:
    classes: int = 25
    students: int = 40
    questions: int = 5
    #: Students arrive over this many seconds after the session is created.
    join_window_s: float = 20.0
    #: Think time: a fixed reading time plus a log-normal part (median 3 s).
    read_s: float = 1.0
    think_median_s: float = 3.0
    think_sigma: float = 0.6
    #: The teacher closes when everyone answered, or after this long.
    close_after_s: float = 20.0
    #: Between closing a question and the next one (the class discusses).
    discuss_s: float = 3.0
    refresh_share: float = 0.05
    double_share: float = 0.05
    chinese_share: float = 0.3
    seed: int = 20240215


@dataclass
class Outcome:
    """Everything the classes recorded."""

    #: (public id, nickname, position, round) → (values sent, kinds of flashes told)
    told: dict[tuple, tuple[list[str], list[str]]] = field(default_factory=dict)
    answer_seconds: list[float] = field(default_factory=list)
    #: (public id, version, moment of the teacher's action, the action)
    actions: list[tuple[str, int, float, str]] = field(default_factory=list)
    #: public id → nickname → [(version, moment seen)]
    seen: dict[str, dict[str, list[tuple[int, float]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    polls: int = 0
    #: Whole live pages: after joining, and the reloads mid-question.
    reload_seconds: list[float] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    #: Requests that got no answer at all (the connection failed), which a
    #: browser retries: a poll next second, an answer by the student again.
    connection_failures: list[str] = field(default_factory=list)
    refreshes: int = 0
    doubles: int = 0
    started: float = 0.0
    ended: float = 0.0

    def failed(self, what: str) -> None:
        self.connection_failures.append(what)

    def delays(self) -> list[float]:
        """Per teacher action: until the last student of the class saw it."""
        return [delay for _action, delay in self._delays()]

    def delays_by_action(self) -> dict[str, list[float]]:
        """:meth:`delays` per kind of action (start, next, close, finish): which
        screens the phones were slow to get."""
        by_action = defaultdict(list)
        for action, delay in self._delays():
            by_action[action].append(delay)
        return dict(by_action)

    def _delays(self) -> list[tuple[str, float]]:
        result = []
        for public_id, version, moment, action in self.actions:
            students = self.seen.get(public_id, {})
            firsts = []
            for sightings in students.values():
                times = [t for v, t in sightings if v >= version]
                if times:
                    firsts.append(min(times))
                else:
                    self.errors.append(f"{public_id}: a student never saw version {version}")
            if firsts:
                result.append((action, max(firsts) - moment))
        return result


class Student:
    def __init__(self, room: ClassRun, index: int):
        self.room, self.index = room, index
        rng = room.rng
        self.nickname = f"s{room.index:02d}-{index:02d}"
        language = "zh" if rng.random() < room.plan.chinese_share else "en"
        self.device = Device(room.host, room.port, language)
        self.refresher = rng.random() < room.plan.refresh_share
        self.doubler = rng.random() < room.plan.double_share
        self.live = ""
        self.version = -1
        self.question: str | None = None  # the open question's key, "q-<position>-<round>"
        self.answering: asyncio.Task | None = None
        self.answered: set[str] = set()

    async def run(self):
        room = self.room
        await asyncio.sleep(room.rng.uniform(0, room.plan.join_window_s))
        entry = await self.get(f"/play/{room.code}")
        form = form_to(entry.text, "/play/")
        sent = await self.device.post(
            "/play/",
            {**form.hidden, "code": room.code, "nickname": self.nickname},
        )
        room.count(sent)
        if sent.status != 302:
            room.outcome.errors.append(f"{self.nickname}: join {sent.status}")
            return
        self.live = sent.location
        await self.load()  # the page the join redirects to
        room.joined += 1
        polling = asyncio.create_task(self.follow())
        await room.over.wait()
        polling.cancel()  # the last poll is held: the phone is put away
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        if self.answering:
            await self.answering

    async def follow(self):
        """Poll as live.js does on a student's screen: held polls, one after
        the other; one that came back at once is followed a second later."""
        while True:
            sent = time.monotonic()
            try:
                await self.poll()
            except (ConnectionError, TimeoutError) as failed:
                # live.js ignores a failed poll and asks again.
                self.room.outcome.failed(f"{self.nickname}: poll or refresh: {failed!r}")
            await asyncio.sleep(max(0.0, POLL_S - (time.monotonic() - sent)))

    async def get(self, path: str, headers=None):
        reply = await self.device.get(path, headers)
        self.room.count(reply)
        return reply

    async def poll(self):
        """The live part, held until the session moves on; a 304 if nothing did."""
        reply = await self.get(
            f"{self.live}?part=live&wait=1", {"If-None-Match": f'"{self.version}"'}
        )
        self.room.outcome.polls += 1
        if reply.status != 304:
            self.take(reply)

    async def load(self):
        """Load the whole page (after joining, or a reload); act on it."""
        page = await self.get(self.live)
        self.room.outcome.reload_seconds.append(page.seconds)
        self.take(page)

    def take(self, page):
        version = attribute(page.text, "data-live-version")
        if version is None:
            self.room.outcome.errors.append(f"{self.nickname}: no live page ({page.status})")
            return
        if int(version) < self.version:
            return  # an answer's reply overtaken by a newer part: live.js drops it
        self.version = int(version)
        seen = self.room.outcome.seen[self.room.public_id].setdefault(self.nickname, [])
        seen.append((self.version, time.monotonic()))
        key = attribute(page.text, "data-live-keep") or None
        form = form_to(page.text, "/answer") if key else None
        self.question = key if form else None
        if form and key not in self.answered and self.answering is None:
            self.answering = asyncio.create_task(self.answer(key, form))

    async def answer(self, key: str, form):
        room = self.room
        plan = room.plan
        think = plan.read_s + room.rng.lognormvariate(0, plan.think_sigma) * plan.think_median_s
        if self.refresher:
            await asyncio.sleep(think / 2)
            room.outcome.refreshes += 1
            await self.load()  # the phone reloads the page mid-question
            think /= 2
        await asyncio.sleep(think)
        self.answering = None
        if self.question != key:
            return  # the question closed on this screen before the student answered
        self.answered.add(key)
        values = [room.rng.choice(form.options["answer"])]
        data = {**form.hidden, "answer": values}
        tabs = [self.device, self.device.twin()] if self.doubler else [self.device]
        room.outcome.doubles += self.doubler
        told = await asyncio.gather(*(self.send(tab, data) for tab in tabs))
        position, round_ = int(form.hidden["position"]), int(form.hidden["round"])
        record = (room.public_id, self.nickname, position, round_)
        room.outcome.told[record] = (values, [kind for kinds in told for kind in kinds])
        room.answered[key] += 1

    async def send(self, tab: Device, data: dict) -> list[str]:
        """Send the answer form as live.js does; its reply is the next screen."""
        path = f"{self.live}/answer?part=live"
        try:
            sent = await tab.post(path, data)
        except (ConnectionError, TimeoutError) as failed:
            # live.js says it was not sent; the student sends the form again.
            self.room.outcome.failed(f"{self.nickname}: answer: {failed!r}")
            await asyncio.sleep(1)
            sent = await tab.post(path, data)
        self.room.count(sent)
        self.room.outcome.answer_seconds.append(sent.seconds)
        if sent.status != 200:
            self.room.outcome.errors.append(f"{self.nickname}: answer {sent.status}")
            return []
        if tab is self.device:
            self.take(sent)
        return flash_kinds(sent.text)


class ClassRun:
    """One class: its teacher, projector and students."""

    def __init__(self, index, plan, host, port, outcome, teacher, password, question_ids):
        self.index, self.plan = index, plan
        self.host, self.port = host, port
        self.outcome = outcome
        self.teacher_name, self.password = teacher, password
        self.question_ids = question_ids
        self.rng = random.Random(plan.seed * 100 + index)
        self.public_id = ""
        self.code = ""
        self.joined = 0
        self.answered: dict[str, int] = defaultdict(int)
        self.over = asyncio.Event()
        self.host_page = ""
        self.host_version = ""

    def count(self, reply) -> None:
        self.outcome.requests += 1
        if reply.status >= 500:
            self.outcome.errors.append(f"class {self.index}: HTTP {reply.status}")

    async def run(self):
        teacher = Device(self.host, self.port, "en")
        await asyncio.sleep(self.rng.uniform(0, 5))  # teachers log in around 10:00
        page = await teacher.get("/auth/login")
        self.count(page)
        sent = await teacher.post(
            "/auth/login",
            {
                "csrf_token": csrf_token(page.text),
                "name": self.teacher_name,
                "password": self.password,
            },
        )
        self.count(sent)
        page = await teacher.get("/classroom/new")
        self.count(page)
        new = form_to(page.text, "/classroom/new")
        sent = await teacher.post(
            "/classroom/new",
            {
                **new.hidden,
                "questions": [str(i) for i in self.question_ids],
                **SESSION_OPTIONS,  # teacher-paced
            },
        )
        self.count(sent)
        if sent.status != 302:
            self.outcome.errors.append(f"class {self.index}: new session {sent.status}")
            self.over.set()
            return
        host_path = sent.location
        self.public_id = host_path.rstrip("/").rsplit("/", 1)[1]
        await self.show(teacher, host_path)
        self.code = join_code(self.host_page)
        students = [Student(self, i) for i in range(self.plan.students)]
        projector = asyncio.create_task(self.projector(teacher, host_path))
        tasks = [asyncio.create_task(s.run()) for s in students]
        deadline = time.monotonic() + self.plan.join_window_s + 30
        while self.joined < len(students) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        for position in range(len(self.question_ids)):
            await self.act(teacher, host_path, "start" if position == 0 else "next")
            key = f"q-{position}-1"
            deadline = time.monotonic() + self.plan.close_after_s
            while self.answered[key] < len(students) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            await self.act(teacher, host_path, "close")
            await asyncio.sleep(self.plan.discuss_s)
        await self.act(teacher, host_path, "finish")
        # Every phone shows the results (the last update delay counts too),
        # then the phones are put away.
        final = max(
            version
            for public_id, version, _moment, _action in self.outcome.actions
            if public_id == self.public_id
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(s.version < final for s in students):
            await asyncio.sleep(0.2)
        self.over.set()
        await asyncio.gather(*tasks)
        projector.cancel()

    async def show(self, teacher: Device, host_path: str):
        # The projector shows the presenter view; the teacher clicks its bar.
        page = await teacher.get(f"{host_path}/present")
        self.count(page)
        self.host_page = page.text
        self.host_version = attribute(page.text, "data-live-version") or ""

    async def projector(self, teacher: Device, host_path: str):
        """The projector's own polling: its version also counts answers."""
        tab = teacher.twin()
        while True:
            await asyncio.sleep(POLL_S)
            try:
                reply = await tab.get(
                    f"{host_path}/state", {"If-None-Match": f'"{self.host_version}"'}
                )
                self.count(reply)
                if reply.status == 200:
                    page = await tab.get(f"{host_path}/present?part=live")
                    self.count(page)
                    self.host_version = attribute(page.text, "data-live-version") or ""
            except (ConnectionError, TimeoutError) as failed:
                self.outcome.failed(f"class {self.index}: projector: {failed!r}")

    async def act(self, teacher: Device, host_path: str, action: str):
        """Press a control button on the presenter view's bar as it is shown."""
        for _attempt in range(3):
            control = form_to(self.host_page, "/control")
            sent = await teacher.post(host_path + "/control", {**control.hidden, "action": action})
            moment = time.monotonic()
            self.count(sent)
            await self.show(teacher, host_path)
            if "flash-error" not in self.host_page and "flash-info" not in self.host_page:
                # Each action moves the session's revision, the students' version, by one.
                revision = int(control.hidden["revision"]) + 1
                self.outcome.actions.append((self.public_id, revision, moment, action))
                return
        self.outcome.errors.append(f"class {self.index}: {action} refused three times")


async def play(plan: Plan, host: str, port: int, teachers, password, question_ids) -> Outcome:
    outcome = Outcome()
    outcome.started = time.monotonic()
    rooms = [
        ClassRun(i, plan, host, port, outcome, teachers[i], password, question_ids[i])
        for i in range(plan.classes)
    ]
    await asyncio.gather(*(room.run() for room in rooms))
    outcome.ended = time.monotonic()
    return outcome


def _normal(values) -> list[str]:
    if isinstance(values, bool):
        return ["true" if values else "false"]
    if isinstance(values, str):
        return [values]
    return sorted(str(v) for v in values)


def verify(database_url: str, outcome: Outcome) -> dict:
    """Hold the database to what every student was told.

    lost: told "recorded" but no row, or a row with other values;
    double-counted: more than one row, or told "recorded" more than once;
    unannounced: a row for an answer that was never told "recorded".
    """
    engine = create_engine(database_url)
    public_ids = {key[0] for key in outcome.told}
    stored: dict[tuple, list] = defaultdict(list)
    with Session(engine) as db:
        rows = db.execute(
            select(
                ClassSession.public_id,
                Player.nickname,
                PlayerAnswer.position,
                PlayerAnswer.round,
                PlayerAnswer.response,
            )
            .join(Player, Player.id == PlayerAnswer.player_id)
            .join(ClassSession, ClassSession.id == PlayerAnswer.session_id)
            .where(ClassSession.public_id.in_(public_ids))
        ).all()
    engine.dispose()
    for public_id, nickname, position, round_, response in rows:
        stored[(public_id, nickname, position, round_)].append(response)
    counts = {"sent": 0, "recorded": 0, "repeat": 0, "late": 0, "lost": 0}
    counts |= {"double_counted": 0, "unannounced": 0, "rows": len(rows)}
    for key, (values, kinds) in outcome.told.items():
        counts["sent"] += len(kinds)
        recorded = kinds.count("status")
        counts["recorded"] += recorded
        counts["repeat"] += kinds.count("info")
        counts["late"] += kinds.count("error")
        held = stored.get(key, [])
        if recorded and (not held or _normal(held[0]) != _normal(values)):
            counts["lost"] += 1
        if len(held) > 1 or recorded > 1:
            counts["double_counted"] += 1
        if held and not recorded:
            counts["unannounced"] += 1
    counts["unannounced"] += sum(1 for key in stored if key not in outcome.told)
    return counts
