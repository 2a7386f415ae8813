"""Self-study: learners practising alone, each in their own browser.

Each learner starts a ten-question practice quiz from one of the banks,
reads each question (a short think time), answers it with a confidence,
reads the feedback and goes on. Measured: the question page (GET) and the
answer submit (the POST, before its redirect is followed).
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field

from tests.bench.client import Device
from tests.bench.pages import form_to

QUESTIONS = 10


@dataclass
class StudyOutcome:
    question_seconds: list[float] = field(default_factory=list)
    answer_seconds: list[float] = field(default_factory=list)
    feedback_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: int = 0


async def learner(host, port, bank: str, rng: random.Random, outcome: StudyOutcome, think):
    device = Device(host, port, rng.choice(["en", "zh"]))
    await asyncio.sleep(rng.uniform(0, 2))
    page = await device.get(f"/study/start?bank={bank}")
    start = form_to(page.text, "/study/start")
    sent = await device.post(
        "/study/start",
        {
            **start.hidden,
            "banks": bank,
            "length": str(QUESTIONS),
            "mode": "practice",
            "confidence": "y",
        },
    )
    if sent.status != 302:
        outcome.errors.append(f"start {sent.status}")
        return
    current = await device.get(sent.location)  # → its first question
    path = current.location
    while True:
        page = await device.get(path)
        if "/results" in path:
            outcome.finished += 1
            return
        outcome.question_seconds.append(page.seconds)
        form = form_to(page.text, path)
        if page.status != 200 or form is None:
            outcome.errors.append(f"question page {page.status} at {path}")
            return
        await asyncio.sleep(think(rng))
        answer = rng.choice(form.options["answer"]) if "answer" in form.options else "1"
        data = {**form.hidden, "answer": answer}
        if "confidence" in form.options:
            data["confidence"] = rng.choice(form.options["confidence"])
        sent = await device.post(path, data)
        outcome.answer_seconds.append(sent.seconds)
        if sent.status != 302:
            outcome.errors.append(f"answer {sent.status} at {path}")
            return
        feedback = await device.get(sent.location)
        outcome.feedback_seconds.append(feedback.seconds)
        await asyncio.sleep(think(rng) / 2)  # reads the feedback
        onward = re.search(r'class="button primary" href="([^"]+)"', feedback.text)
        if onward is None:
            outcome.errors.append(f"no way on from {path}")
            return
        path = onward.group(1)


async def study(host, port, banks: list[str], learners: int, think, seed: int) -> StudyOutcome:
    outcome = StudyOutcome()
    rng = random.Random(seed)
    await asyncio.gather(
        *(
            learner(host, port, banks[i % len(banks)], random.Random(rng.random()), outcome, think)
            for i in range(learners)
        )
    )
    return outcome
