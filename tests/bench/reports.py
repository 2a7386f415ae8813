"""The learning reports under load of data: how long each takes to render.

Issue 22: the report of a class of 40 over 10 sessions, a session's
analysis, and the analysis of a bank with 10,000 self-study answers must
each render in under 300 ms. :func:`prepare_reports` writes that much
history straight into the database (SQLAlchemy Core, a few transactions:
seconds, not the hours a class would take); :func:`measure_reports` renders
each report page in the process with Flask's test client, interleaved with
a plain page in the same rounds, and checks every page shows what it must.

    python -m tests.bench.reports [--database-url URL] [--rounds N] [--profile]

runs it alone on a fresh SQLite file (or on an empty database at URL);
``--profile`` prints where one render of each report spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import pstats
import random
import re
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.bench import servers
from tests.bench.stats import percentile

PASSWORD = "bench password 2024"
TEACHER = "reports-teacher"
#: The bank whose self-study answers are analysed.
BANK = "sora-limits"
#: The check's parallel forms (check-in: A, check-out: B).
FORMS = {"A": "check-form-a", "B": "check-form-b"}
MEMBERS = 40
SESSIONS = 10
SESSION_ITEMS = 12
#: Share of a session's items a player answers (the rest: time ran out, or absent-minded).
ANSWERED = 0.9
#: Members who missed the check-out (their check-in stays unpaired).
MISSED_CHECK_OUT = 2
BANK_ANSWERS = 10_000
ATTEMPT_LENGTH = 10
#: Self-study learners of the bank who came back for a second attempt.
SECOND_ATTEMPTS = 150
#: Renders of each page measured, and those before them not counted.
ROUNDS = 15
WARMUPS = 2
LIMIT_MS = 300
PLAIN = "/"

#: The members' nicknames: half in Chinese.
NAMES = (
    "Annika",
    "Bodhi",
    "Cyrus",
    "Dilnoza",
    "Eamon",
    "Farida",
    "Gulnar",
    "Hamid",
    "Ivana",
    "Joaquin",
    "Kaito",
    "Lucia",
    "Mateo",
    "Nadia",
    "Olusegun",
    "Priya",
    "Quentin",
    "Rania",
    "Sven",
    "Tamsin",
    "小明",
    "小红",
    "小华",
    "小丽",
    "小军",
    "小芳",
    "小强",
    "小燕",
    "小龙",
    "小雪",
    "小杰",
    "小琳",
    "小峰",
    "小梅",
    "小涛",
    "小静",
    "小勇",
    "小慧",
    "小波",
    "小婷",
)


def _hex(rng: random.Random, digits: int = 32) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def _code(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(length))


# --- answers -----------------------------------------------------------------


def respond(content: dict, right: bool, rng: random.Random):
    """A response in the shape the type stores: meant right or wrong (a wrong
    "multiple" may still earn part of the marks: it is graded after)."""
    kind, answer = content["type"], content["answer"]
    ids = [choice["id"] for choice in content.get("choices", ())]
    if kind == "single":
        return answer if right else rng.choice([i for i in ids if i != answer])
    if kind == "multiple":
        if right:
            return list(answer)
        while True:
            picked = set(rng.sample(ids, rng.randint(1, len(ids) - 1)))
            if picked != set(answer):
                return [i for i in ids if i in picked]
    if kind == "true_false":
        return answer if right else not answer
    if kind == "claim":
        return answer if right else ("not_supported" if answer == "supported" else "supported")
    if kind == "numeric":
        if right:
            return answer["value"]
        return answer["value"] + answer["tolerance"] + rng.randint(1, 40)
    if kind == "short_text":
        return answer[0] if right else rng.choice(["不知道", "no idea", "AI", "视频"])
    raise ValueError(f"unknown question type {kind!r}")


def graded(content: dict, right: bool, rng: random.Random) -> tuple[object, float]:
    """A response and the fraction the question type grades it."""
    from quizapp.domain.question_types import REGISTRY

    response = respond(content, right, rng)
    return response, REGISTRY[content["type"]].grade(content["answer"], response)


def confidence(right: bool, rng: random.Random) -> int:
    """1–3: surer when right, though not always."""
    return rng.choices((1, 2, 3), (2, 4, 4) if right else (4, 4, 2))[0]


def chance(skill: float, ease: float) -> float:
    return min(0.97, max(0.05, skill + ease))


# --- the data ----------------------------------------------------------------


@dataclass
class Prepared:
    """What :func:`prepare_reports` wrote, and where its reports are."""

    teacher: str
    class_id: str
    session_ids: list[str]
    bank: str
    members: list[str]
    counts: dict

    @property
    def paths(self) -> dict[str, str]:
        return {
            "class": f"/classes/{self.class_id}/report",
            "session": f"/classroom/{self.session_ids[-1]}/analysis",
            "bank": f"/admin/banks/{self.bank}/analysis",
        }


def prepare_reports(url: str, seed: int = 22) -> Prepared:
    """A teacher with a class of 40 over 10 finished sessions and a before/after
    check, and ``BANK`` with 10,000 self-study answers, in the migrated and
    imported database at ``url``."""
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.models import User
    from quizapp.services.accounts import create_user
    from quizapp.services.attempts import published_versions

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32)})
    rng = random.Random(seed)
    with app.app_context():
        teacher = db.session.scalar(select(User).where(User.name == TEACHER))
        if teacher is None:
            teacher = create_user(TEACHER, "teacher", PASSWORD)
        teacher_id = teacher.id
        slugs = [slug for slug in _active() if slug not in FORMS.values()]
        pool = [(v.id, v.content) for v in published_versions(slugs)]
        forms = {
            form: [(v.id, v.content) for v in published_versions([slug])]
            for form, slug in FORMS.items()
        }
        bank = [(v.id, v.content) for v in published_versions([BANK])]
        assert len(pool) >= SESSION_ITEMS and all(forms.values()) and len(bank) >= ATTEMPT_LENGTH
        with db.engine.begin() as connection:
            made = _class(connection, rng, teacher_id, pool, forms)
        with db.engine.begin() as connection:
            made["counts"] |= _bank(connection, rng, bank)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return Prepared(
        TEACHER, made["class_id"], made["session_ids"], BANK, made["members"], made["counts"]
    )


def _active() -> list[str]:
    from quizapp.extensions import db
    from quizapp.models import Bank

    return list(db.session.scalars(select(Bank.slug).where(Bank.status == "active")))


def _insert(connection, model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in one statement; their ids, in order."""
    table = model.__table__
    if "id" not in table.c:
        connection.execute(table.insert(), rows)
        return []
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.scalars(statement, rows))


def _class(connection, rng: random.Random, teacher_id: int, pool, forms) -> dict:
    from quizapp.domain.live import SessionOptions, live_points
    from quizapp.domain.nicknames import fold
    from quizapp.domain.scoring import points_for
    from quizapp.models import (
        Answer,
        Assignment,
        Attempt,
        AttemptItem,
        ClassMember,
        ClassSession,
        MemberAttempt,
        MemberPlayer,
        Player,
        PlayerAnswer,
        SchoolClass,
        SessionClass,
        SessionItem,
    )

    start = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
    class_public = _hex(rng)
    [class_id] = _insert(
        connection,
        SchoolClass,
        [
            {
                "public_id": class_public,
                "join_token": _code(rng, 8),
                "teacher_id": teacher_id,
                "name": "Class 8B: media literacy",
                "created_at": start - timedelta(days=3),
            }
        ],
    )
    names = NAMES[:MEMBERS]
    skills = [min(0.92, max(0.3, rng.gauss(0.65, 0.12))) for _ in names]
    member_ids = _insert(
        connection,
        ClassMember,
        [
            {
                "class_id": class_id,
                "nickname": name,
                "nickname_key": fold(name),
                "token": _hex(rng, 48),
                "code_digest": _hex(rng, 64),
                "learner_key": _hex(rng, 32),
                "joined_at": start - timedelta(days=3, minutes=-i),
            }
            for i, name in enumerate(names)
        ],
    )
    learner_keys = dict(
        connection.execute(
            select(ClassMember.id, ClassMember.learner_key).where(ClassMember.class_id == class_id)
        ).all()
    )
    options = SessionOptions()
    ease = {version: rng.uniform(-0.25, 0.2) for version, _ in pool}
    session_ids, class_answers, first_round = [], 0, []
    for k in range(SESSIONS):
        began = start + timedelta(days=7 * k)
        items = rng.sample(pool, SESSION_ITEMS)
        # "Vote again" on one question in a few sessions: round 2 does not count.
        again = rng.randrange(SESSION_ITEMS) if k % 3 == 0 else None
        public_id = _hex(rng)
        [session_id] = _insert(
            connection,
            ClassSession,
            [
                {
                    "public_id": public_id,
                    "code": None,
                    "teacher_id": teacher_id,
                    "title": f"Lesson {k + 1}: Sora and what video can show",
                    "pacing": "teacher",
                    "options": options.as_dict(),
                    "phase": "finished",
                    "position": SESSION_ITEMS - 1,
                    "round": 1,
                    "revision": 3 * SESSION_ITEMS + 2,
                    "created_at": began - timedelta(minutes=10),
                    "started_at": began,
                    "finished_at": began + timedelta(minutes=30),
                }
            ],
        )
        session_ids.append(public_id)
        _insert(
            connection,
            SessionItem,
            [
                {
                    "session_id": session_id,
                    "position": p,
                    "question_version_id": version,
                    "rounds": 2 if p == again else 1,
                }
                for p, (version, _) in enumerate(items)
            ],
        )
        _insert(connection, SessionClass, [{"session_id": session_id, "class_id": class_id}])
        player_ids = _insert(
            connection,
            Player,
            [
                {
                    "session_id": session_id,
                    "nickname": name,
                    "nickname_key": fold(name),
                    "token": _hex(rng, 48),
                    "seed": _hex(rng),
                    "first_position": 0,
                    "language": rng.choice(("en", "zh", "zh")),
                    "joined_at": began - timedelta(minutes=5),
                }
                for name in names
            ],
        )
        _insert(
            connection,
            MemberPlayer,
            [{"player_id": p, "member_id": m} for p, m in zip(player_ids, member_ids, strict=True)],
        )
        answers = []
        for player, skill in zip(player_ids, skills, strict=True):
            for p, (version, content) in enumerate(items):
                rounds = (1, 2) if p == again else (1,)
                for round_ in rounds:
                    if rng.random() > ANSWERED:
                        continue
                    right = rng.random() < chance(skill + 0.1 * (round_ - 1), ease[version])
                    response, fraction = graded(content, right, rng)
                    level = confidence(fraction == 1.0, rng)
                    taken = rng.randint(3000, 25000)
                    answers.append(
                        {
                            "session_id": session_id,
                            "player_id": player,
                            "position": p,
                            "round": round_,
                            "response": response,
                            "fraction": fraction,
                            "points": live_points(options, fraction, level, taken)
                            if round_ == 1
                            else 0.0,
                            "confidence": level,
                            "time_taken_ms": taken,
                            "answered_at": began
                            + timedelta(minutes=2 * p + round_, milliseconds=taken),
                        }
                    )
        _insert(connection, PlayerAnswer, answers)
        class_answers += len(answers)
        first_round += [a["fraction"] for a in answers if a["round"] == 1]

    # The before/after check: the check-in on form A before the first lesson,
    # the check-out on form B after the last.
    check_answers = 0
    phases = {
        "before": (start - timedelta(days=1), "A", 0.0),
        "after": (start + timedelta(days=7 * SESSIONS), "B", 0.1),
    }
    for phase, (when, form, gain) in phases.items():
        [assignment_id] = _insert(
            connection,
            Assignment,
            [
                {
                    "public_id": _hex(rng),
                    "class_id": class_id,
                    "kind": "check",
                    "phase": phase,
                    "title": "Check-in" if phase == "before" else "Check-out",
                    "settings": {"counterbalanced": False},
                    "created_at": when - timedelta(hours=1),
                    "closed_at": when + timedelta(hours=2),
                }
            ],
        )
        takers = member_ids if phase == "before" else member_ids[MISSED_CHECK_OUT:]
        attempt_ids = _insert(
            connection,
            Attempt,
            [
                {
                    "public_id": _hex(rng),
                    "learner_key": learner_keys[member],
                    "mode": "test",
                    "confidence_enabled": True,
                    "settings": {"banks": [FORMS[form]], "length": None},
                    "created_at": when,
                    "finished_at": when + timedelta(minutes=15),
                }
                for member in takers
            ],
        )
        _insert(
            connection,
            MemberAttempt,
            [
                {"attempt_id": a, "member_id": m, "assignment_id": assignment_id, "form": form}
                for a, m in zip(attempt_ids, takers, strict=True)
            ],
        )
        items, answers = [], []
        for attempt, member in zip(attempt_ids, takers, strict=True):
            skill = skills[member_ids.index(member)] + gain
            shown = rng.sample(forms[form], len(forms[form]))
            for p, (version, content) in enumerate(shown):
                items.append(_attempt_item(attempt, p, version, content, rng))
                answers.append(
                    _answer(attempt, p, content, chance(skill, 0.0), when, rng, points_for)
                )
        _insert(connection, AttemptItem, items)
        _insert(connection, Answer, answers)
        check_answers += len(answers)
    return {
        "class_id": class_public,
        "session_ids": session_ids,
        "members": names,
        "counts": {
            "members": len(member_ids),
            "sessions": SESSIONS,
            "session_answers": class_answers,
            "session_right_share": round(sum(f == 1.0 for f in first_round) / len(first_round), 3),
            "check_answers": check_answers,
        },
    }


def _attempt_item(attempt: int, position: int, version: int, content: dict, rng) -> dict:
    ids = [choice["id"] for choice in content.get("choices", ())]
    return {
        "attempt_id": attempt,
        "position": position,
        "question_version_id": version,
        "choice_order": rng.sample(ids, len(ids)) if ids else None,
    }


def _answer(attempt: int, position: int, content: dict, p: float, when, rng, points_for) -> dict:
    right = rng.random() < p
    response, fraction = graded(content, right, rng)
    level = confidence(fraction == 1.0, rng)
    return {
        "attempt_id": attempt,
        "position": position,
        "response": response,
        "fraction": fraction,
        "points": points_for(fraction, level),
        "confidence": level,
        "time_taken_ms": rng.randint(4000, 40000),
        "answered_at": when + timedelta(seconds=30 * (position + 1)),
    }


def _bank(connection, rng: random.Random, bank) -> dict:
    """~1,000 practice attempts of 10 questions on the bank, all answered; some
    learners came back for a second attempt (first attempts then have work)."""
    from quizapp.domain.scoring import points_for
    from quizapp.models import Answer, Attempt, AttemptItem

    attempts = BANK_ANSWERS // ATTEMPT_LENGTH
    learners = [
        (_hex(rng, 32), min(0.92, max(0.25, rng.gauss(0.62, 0.15))))
        for _ in range(attempts - SECOND_ATTEMPTS)
    ]
    returning = rng.sample(learners, SECOND_ATTEMPTS)
    ease = {version: rng.uniform(-0.3, 0.25) for version, _ in bank}
    start = datetime(2024, 2, 20, 9, 0, tzinfo=UTC)
    plan = [
        (key, skill, start + timedelta(minutes=41 * i)) for i, (key, skill) in enumerate(learners)
    ]
    plan += [
        (key, skill + 0.08, start + timedelta(days=30, minutes=97 * i))
        for i, (key, skill) in enumerate(returning)
    ]
    attempt_ids = _insert(
        connection,
        Attempt,
        [
            {
                "public_id": _hex(rng),
                "learner_key": key,
                "mode": "practice",
                "confidence_enabled": True,
                "settings": {"banks": [BANK], "length": ATTEMPT_LENGTH},
                "created_at": when,
                "finished_at": when + timedelta(minutes=8),
            }
            for key, _, when in plan
        ],
    )
    items, answers = [], []
    for attempt, (_, skill, when) in zip(attempt_ids, plan, strict=True):
        for p, (version, content) in enumerate(rng.sample(bank, ATTEMPT_LENGTH)):
            items.append(_attempt_item(attempt, p, version, content, rng))
            answers.append(
                _answer(attempt, p, content, chance(skill, ease[version]), when, rng, points_for)
            )
    _insert(connection, AttemptItem, items)
    _insert(connection, Answer, answers)
    return {
        "bank_attempts": len(attempt_ids),
        "bank_learners": len(learners),
        "bank_second_attempts": len(returning),
        "bank_answers": len(answers),
        "bank_right_share": round(sum(a["fraction"] == 1.0 for a in answers) / len(answers), 3),
    }


# --- measuring ---------------------------------------------------------------


def _page(response) -> str:
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def log_in(client, name: str = TEACHER, password: str = PASSWORD) -> None:
    from tests.bench.pages import csrf_token

    page = _page(client.get("/auth/login"))
    sent = client.post(
        "/auth/login", data={"csrf_token": csrf_token(page), "name": name, "password": password}
    )
    assert sent.status_code == 302, (sent.status_code, _page(sent)[:500])


def expected(app, prepared: Prepared) -> dict[str, list[str]]:
    """What each report page must show: its heading, each item's label, and
    for the class every member's nickname, for the session its takers."""
    from quizapp.extensions import db
    from quizapp.models import Bank, ClassSession, SchoolClass
    from quizapp.services import learning

    with app.app_context():
        school_class = db.session.scalar(
            select(SchoolClass).where(SchoolClass.public_id == prepared.class_id)
        )
        session = db.session.scalar(
            select(ClassSession).where(ClassSession.public_id == prepared.session_ids[-1])
        )
        bank = db.session.scalar(select(Bank).where(Bank.slug == prepared.bank))
        found = {}
        for key, evidence in (
            ("class", learning.class_evidence(school_class)),
            ("session", learning.session_evidence(session)),
            ("bank", learning.bank_evidence(bank)),
        ):
            report = learning.item_report(evidence)
            found[key] = ["Item analysis", *(row.item.label for row in report.rows)]
            if key == "session":
                found[key].append(f">{report.test.takers}<")
        found["class"] += list(prepared.members)
        db.session.remove()
    return found


@dataclass
class Timing:
    path: str
    seconds: list[float]
    size: int = 0
    #: Why the page does not count: not a 200, or without what it must show.
    problem: str | None = None

    def summary(self, plain: Timing | None = None) -> dict:
        found = {"path": self.path, "renders": len(self.seconds), "problem": self.problem}
        if self.problem or not self.seconds:
            return found | {"median_ms": None, "p90_ms": None, "max_ms": None, "ratio": None}
        median = statistics.median(self.seconds)
        found |= {
            "median_ms": round(1000 * median, 1),
            "p90_ms": round(1000 * percentile(self.seconds, 90), 1),
            "max_ms": round(1000 * max(self.seconds), 1),
            "html_kb": round(self.size / 1024, 1),
        }
        if plain is not None and plain.seconds:
            found["ratio"] = round(median / statistics.median(plain.seconds), 1)
        return found


def _problem(response, musts: list[str]) -> str | None:
    """What is wrong with a report page, or None."""
    page = _page(response)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    lost = [text for text in musts if text not in page]
    if lost:
        return f"{len(lost)} of {len(musts)} expected texts missing, e.g. {lost[:4]}"
    return None


def measure_reports(app, prepared: Prepared, rounds: int = ROUNDS, warmups: int = WARMUPS) -> dict:
    """Each report page and the plain page rendered ``rounds`` times in turn
    (after ``warmups`` rounds not counted) by the logged-in teacher, in the
    process. A page that is not a 200 with what it must show is not timed
    further: its figures are None and its target missed."""
    musts = expected(app, prepared)
    client = app.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": "en", "HTTP_ACCEPT_ENCODING": "gzip"})
    log_in(client)
    pages = {"plain": PLAIN, **prepared.paths}
    timings = {key: Timing(path, []) for key, path in pages.items()}
    order = list(pages)
    for round_ in range(warmups + rounds):
        # Each round in another order, so that no page always follows the same one.
        for key in order[round_ % len(order) :] + order[: round_ % len(order)]:
            timing = timings[key]
            if timing.problem:
                continue
            began = time.perf_counter()
            response = client.get(pages[key])
            response.get_data()
            seconds = time.perf_counter() - began
            if round_ < warmups or response.status_code != 200:
                timing.problem = _problem(response, musts.get(key, []))
                timing.size = len(_page(response).encode())
            if round_ >= warmups and not timing.problem:
                timing.seconds.append(seconds)
    plain = timings["plain"]
    return {
        "via": "Flask test client, in the process",
        "rounds": rounds,
        "warmups": warmups,
        "pages": {
            key: timing.summary(None if key == "plain" else plain)
            for key, timing in timings.items()
        },
        "checked": {key: len(texts) for key, texts in musts.items()},
    }


def profile(app, prepared: Prepared, top: int = 25) -> dict[str, str]:
    """One render of each report under cProfile: the costliest functions by
    their own time and by cumulative time."""
    client = app.test_client()
    client.environ_base.update({"HTTP_ACCEPT_LANGUAGE": "en", "HTTP_ACCEPT_ENCODING": "gzip"})
    log_in(client)
    found = {}
    for key, path in prepared.paths.items():
        client.get(path)  # warm
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        found[key] = out.getvalue()
    return found


def app_for(url: str):
    from quizapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32)})


def scenario(name: str, url: str, rounds: int = ROUNDS, keep: dict | None = None) -> dict:
    """Prepare the data in the database at ``url`` and measure (the bench's part).
    ``keep``, if given, receives the app and what was prepared."""
    print(
        f"== {name}: reports: a class of {MEMBERS} × {SESSIONS} sessions,"
        f" {BANK_ANSWERS:,} self-study answers",
        flush=True,
    )
    began = time.perf_counter()
    prepared = prepare_reports(url)
    prepare_s = time.perf_counter() - began
    app = app_for(url)
    began = time.perf_counter()
    measured = measure_reports(app, prepared, rounds)
    measured["data"] = prepared.counts
    measured["prepare_s"] = round(prepare_s, 1)
    measured["measure_s"] = round(time.perf_counter() - began, 1)
    if keep is not None:
        keep.update(app=app, prepared=prepared)
    else:
        _dispose(app)
    return measured


def _dispose(app) -> None:
    from quizapp.extensions import db

    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


# --- the table and the targets ---------------------------------------------

NAMES_OF = {
    "class": "class report, 40 members × 10 sessions + check",
    "session": "session analysis, 40 players × 12 questions",
    "bank": f"bank analysis, {BANK_ANSWERS:,} self-study answers",
}


def _g(value) -> str:
    return "-" if value is None else f"{value:g}"


def rows(run: dict) -> list[tuple[str, str, str]]:
    """The scenario's rows in the bench's table."""
    r = run["reports"]
    plain, d = r["pages"]["plain"], r["data"]
    found = [
        (
            f"reports: plain page {plain['path']}, median / p90 (ms)",
            f"{_g(plain['median_ms'])} / {_g(plain['p90_ms'])}",
            f"{r['rounds']} renders each, in turn, after {r['warmups']}; {r['via']}"
            + (f"; NOT TIMED: {plain['problem']}" if plain["problem"] else ""),
        )
    ]
    for key, label in NAMES_OF.items():
        page = r["pages"][key]
        if page["problem"]:
            found.append((f"  {label}", "-", f"NOT TIMED: {page['problem']}"))
            continue
        found.append(
            (
                f"  {label}",
                f"{page['median_ms']:g} / {page['p90_ms']:g}",
                f"× {_g(page['ratio'])} of the plain page; max {page['max_ms']:g};"
                f" {page['html_kb']:g} KB of HTML; {r['checked'][key]} texts checked",
            )
        )
    found.append(
        (
            "  the data",
            f"{d['session_answers'] + d['check_answers'] + d['bank_answers']:,}",
            f"answers: sessions {d['session_answers']:,}, check {d['check_answers']:,},"
            f" bank {d['bank_answers']:,} ({d['bank_attempts']:,} attempts, {d['bank_second_attempts']}"
            f" second ones); fully right: sessions {d['session_right_share']:.0%},"
            f" bank {d['bank_right_share']:.0%}; written in {r['prepare_s']:g} s",
        )
    )
    return found


def render(report: dict) -> str:
    """The scenario's rows for each database, as the bench prints its table."""
    lines = []
    for run in report["runs"]:
        if "reports" not in run:
            continue
        found = rows(run)
        width = max(len(row[0]) for row in found)
        lines.append(f"{run['database']}: the learning reports")
        lines += [f"{a:<{width}}  {b:>16}  {c}".rstrip() for a, b, c in found]
    return "\n".join(lines)


def targets(report: dict) -> list[dict]:
    """Reports under 300 ms: the p90 of each report page's renders."""
    checked = []
    for run in report["runs"]:
        if "reports" not in run:
            continue
        for key, label in NAMES_OF.items():
            page = run["reports"]["pages"][key]
            value = page["p90_ms"]
            checked.append(
                {
                    "database": run["database"],
                    "what": f"reports under {LIMIT_MS} ms: {label.split(',')[0]} p90 (ms)",
                    "value": value,
                    "target": f"<= {LIMIT_MS}",
                    "met": not page["problem"] and value is not None and value <= LIMIT_MS,
                }
            )
    return checked


def with_reports(table: str, report: dict) -> str:
    """The bench's table with the reports' rows before its targets."""
    section = render(report)
    if not section:
        return table
    head, mark, tail = table.partition("\nTargets:")
    return f"{head.rstrip()}\n{section}\n{mark}{tail}" if mark else f"{table}\n{section}"


def render_targets(checked: list[dict]) -> str:
    lines = ["Targets:"]
    for t in checked:
        mark = "met" if t["met"] else "MISSED"
        lines.append(
            f"  [{mark}] {t['database']}: {t['what']} = {t['value']} (target {t['target']})"
        )
    return "\n".join(lines)


# --- alone -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.reports", description=__doc__)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--profile", action="store_true", help="where one render spends its time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quizapp-reports-") as folder:
        return _alone(args, args.database_url or f"sqlite:///{Path(folder) / 'quizapp.sqlite3'}")


def _alone(args, url: str) -> int:
    env = servers.app_environment(url)
    servers.flask_command(env, "db", "upgrade")
    servers.flask_command(env, "quiz", "import")
    name = url.split(":", 1)[0].split("+", 1)[0]
    kept: dict = {}
    report = {"runs": [{"database": name, "reports": scenario(name, url, args.rounds, kept)}]}
    print(render(report))
    checked = targets(report)
    print(render_targets(checked))
    if args.profile:
        prepared = kept["prepared"]
        for key, text in profile(kept["app"], prepared).items():
            print(f"\n==== {key}: {prepared.paths[key]}\n{_trim(text)}")
    _dispose(kept["app"])
    return 0 if all(t["met"] for t in checked) else 1


def _trim(text: str) -> str:
    """pstats' output without its blank lines and preamble noise."""
    return "\n".join(
        line for line in text.splitlines() if line.strip() and not re.match(r"^\s*Ordered by", line)
    )


if __name__ == "__main__":
    raise SystemExit(main())
