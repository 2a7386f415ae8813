"""Run the load benchmark: ``python3 tasks.py bench`` (see docs/development.md, "The benchmark").

    python -m tests.bench [--postgres-url URL] [--only sqlite|postgres] [--quick]
                          [--workers N] [--threads N] [--out DIR]
                          [--classes-only | --saturation-only | --slow-clients-only
                           | --throttling-only | --reports-only | --restart-only]

For each database: the bare baseline under gunicorn (INSERT and JSON at
saturation), then quizapp under the same gunicorn settings: its answer and
live-update endpoints at saturation, 25 classes of 40 students playing at
once (checked against the database afterwards), 50 learners in
self-study, and the weight of a question page; then, served as on the
classroom network (nginx in front), one class of 40 alone and with 1,500
slow or idle connections held open (``tests/bench/slow.py``); then
throttling: answers at saturation with it and without, guessers against
it, and a class alone and with guessers at it (``tests/bench/throttling.py``);
then graceful restarts (SIGHUP) with 1,000 phones holding their polls and
with none (``tests/bench/restart.py``); last, the learning reports of a
class of 40 over 10 sessions and of a bank with 10,000 self-study answers,
rendered in the process against a plain page (``tests/bench/reports.py``).
Prints a table and writes ``latest.json`` and ``latest.txt`` (default:
``tests/bench/results/``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import runpy
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gunicorn
from sqlalchemy import func, select, text

import tasks
from quizapp.config import held_polls, working_threads
from quizapp.models import ClassSession, PlayerAnswer
from tests.bench import (
    baseline,
    classes,
    reports,
    restart,
    saturation,
    servers,
    slow,
    study,
    throttling,
)
from tests.bench.client import Device
from tests.bench.pages import attribute, csrf_token, form_to, join_code
from tests.bench.report import (
    render,
    render_restart,
    render_slow_clients,
    render_throttling,
    targets,
)
from tests.bench.stats import LoopLag, summary_ms
from tests.bench.weight import page_weight, weigh
from tests.web.classroom_client import SESSION_OPTIONS

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench password 2024"
SATURATION_QUESTIONS = 60
#: Players of the saturation session: 60 questions each is 24,000 answers,
#: room for the three rounds of 5 s (warm-up included) at up to 1,600
#: answers a second (240 players ran out at about 950).
PLAYERS = 400
#: Saturation rounds per endpoint; the median round is reported.
ROUNDS = 3


def prepare_quizapp(url: str, env: dict, teachers: int) -> dict:
    """Migrate and import as a deployment does; add teachers; pick the questions."""
    servers.flask_command(env, "db", "upgrade")
    servers.flask_command(env, "quiz", "import")
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.models import Bank
    from quizapp.services.accounts import create_user
    from quizapp.services.content import published_by_bank

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": env["SECRET_KEY"]})
    with app.app_context():
        names = [f"teacher{i:02d}" for i in range(teachers)]
        # The accounts the throttling scenario's guessers go for.
        guessed = ["guessed-a", "guessed-b"]
        for name in names + guessed:
            create_user(name, "teacher", PASSWORD)
        choosable = []
        for versions in published_by_bank().values():
            choosable += [v for v in versions if v.content["type"] in ("single", "true_false")]
        slugs = list(db.session.scalars(select(Bank.slug).where(Bank.status == "active")))
        picked = [
            (v.id, "true" if v.content["type"] == "true_false" else v.content["choices"][0]["id"])
            for v in choosable
        ]
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return {"teachers": names, "guessed": guessed, "questions": picked, "banks": slugs}


async def saturation_session(server, prepared) -> dict:
    """A student-paced session with ``PLAYERS`` players joined, for the saturation rounds."""
    host, port = server.host, server.port
    teacher = Device(host, port)
    page = await teacher.get("/auth/login")
    await teacher.post(
        "/auth/login",
        {
            "csrf_token": csrf_token(page.text),
            "name": prepared["teachers"][-1],
            "password": PASSWORD,
        },
    )
    page = await teacher.get("/classroom/new")
    questions = prepared["questions"][:SATURATION_QUESTIONS]
    sent = await teacher.post(
        "/classroom/new",
        {
            **form_to(page.text, "/classroom/new").hidden,
            "questions": [str(i) for i, _ in questions],
            **SESSION_OPTIONS,
            "pacing": "student",
            "max_players": str(PLAYERS),  # above the default cap on joins
        },
    )
    assert sent.status == 302, (sent.status, sent.text[:1000])
    host_path = sent.location
    page = await teacher.get(host_path)
    control = form_to(page.text, "/control")
    await teacher.post(f"{host_path}/control", {**control.hidden, "action": "start"})
    players = await saturation.join_players(host, port, join_code(page.text), PLAYERS)
    version = attribute((await players[0].device.get(players[0].live)).text, "data-live-version")
    weighed = await weigh(players[0].device, players[0].live)
    weighed["language"] = "en"
    return {
        "players": players,
        "version": version,
        "choices": [choice for _, choice in questions],
        "public_id": host_path.rsplit("/", 1)[1],
        "code": join_code(page.text),
        "weight": weighed,
    }


def stored_answers(url: str, public_id: str) -> int:
    """How many answers the database holds for session ``public_id``."""
    return servers.one_value(
        url,
        select(func.count(PlayerAnswer.id))
        .join(ClassSession, ClassSession.id == PlayerAnswer.session_id)
        .where(ClassSession.public_id == public_id),
    )


def think_time(rng: random.Random) -> float:
    """Self-study reading time per question: 1–3 s."""
    return rng.uniform(1.0, 3.0)


async def run_database(name: str, url: str, args, folder: Path) -> dict:
    plan = classes.Plan()
    if args.quick:
        plan.classes, plan.students, plan.questions = 4, 10, 2
    plan.classes = args.classes or plan.classes
    warmup_s, measure_s = (0.5, 2.0) if args.quick else (1.0, 4.0)
    settings = {"workers": args.workers} if args.workers else {}
    if args.access_log:
        settings |= {
            "access_logfile": args.access_log,
            "access_logformat": "%(m)s %(U)s %(s)s %(D)s",
        }
    result: dict = {"database": name}

    print(f"== {name}: migrate, import, {plan.classes + 1} teachers; the bare table", flush=True)
    env = servers.app_environment(url)
    if args.threads:
        # The working threads: gunicorn.conf.py adds those for held polls.
        env["QUIZ_THREADS"] = str(args.threads)
    if name == "postgresql":
        servers.empty_database(url)
    prepared = prepare_quizapp(url, env, plan.classes + 1)
    baseline.prepare(url)
    if args.slow_clients_only:
        result["slow_clients"] = await slow_clients(name, plan, prepared, env, folder, settings)
        return result
    if args.throttling_only:
        result["throttling"] = await throttled(name, plan, prepared, env, folder, settings, args)
        return result
    if args.reports_only:
        result["reports"] = reports.scenario(name, url)
        return result
    if args.restart_only:
        result["restart"] = await restarts(name, prepared, env, folder, settings)
        return result
    with servers.gunicorn("quizapp:create_app()", env, folder, settings) as server:
        if args.classes_only:
            return await classes_alone(name, url, plan, prepared, server)
        print(f"== {name}: saturation, {ROUNDS} rounds each, bare and quizapp in turn", flush=True)
        sat = await saturation_session(server, prepared)
        rounds: dict[str, list] = {"insert": [], "answers": [], "json": [], "polls": []}
        bare_app = "tests.bench.baseline:create_app()"
        with servers.gunicorn(bare_app, env, folder, settings) as bare:
            for _round in range(ROUNDS):
                # In turn, so that whatever else the machine does falls on both alike.
                rounds["insert"].append(
                    await saturation.baseline_inserts(bare.host, bare.port, warmup_s, measure_s)
                )
                rounds["answers"].append(
                    await saturation.answers(sat["players"], sat["choices"], warmup_s, measure_s)
                )
                rounds["json"].append(
                    await saturation.baseline_json(bare.host, bare.port, warmup_s, measure_s)
                )
                rounds["polls"].append(
                    await saturation.polls(sat["players"], sat["version"], warmup_s, measure_s)
                )
        inserts = saturation.median_round(rounds["insert"])
        answered = saturation.median_round(rounds["answers"])
        documents = saturation.median_round(rounds["json"])
        polled = saturation.median_round(rounds["polls"])
        result["baseline"] = {
            "insert_per_s": round(inserts.per_second, 1),
            "insert_rounds": inserts.rates,
            "insert_latency_ms": summary_ms(inserts.seconds),
            "insert_rows": servers.one_value(url, select(func.count()).select_from(baseline.rows)),
            "insert_ok": sum(n for s, n in inserts.total.items() if s < 400),
            "json_per_s": round(documents.per_second, 1),
            "json_rounds": documents.rates,
            "json_latency_ms": summary_ms(documents.seconds),
            "peak_memory_mb": round(bare.peak_pss / 2**20, 1),
        }
        answers_ok = sum(n for s, n in answered.total.items() if s < 400)
        rows = stored_answers(url, sat["public_id"])
        if args.saturation_only:
            print(
                f"   {name} {settings}: answers {answered.rates}/s vs INSERT {inserts.rates}/s;"
                f" polls {polled.rates}/s vs JSON {documents.rates}/s"
            )
            return result
        print(f"== {name}: {plan.classes} classes × {plan.students} students", flush=True)
        with LoopLag() as lag:
            outcome = await play_classes(plan, prepared, server)
        checked = classes.verify(url, outcome)
        print(f"== {name}: self-study, {args.learners} learners", flush=True)
        with LoopLag() as study_lag:
            learned = await study.study(
                server.host, server.port, prepared["banks"], args.learners, think_time, plan.seed
            )
        weight = await page_weight(server.host, server.port)
        peak = server.peak_pss
    result["quizapp"] = {
        "answers_per_s": round(answered.per_second, 1),
        "answers_rounds": answered.rates,
        "answers_latency_ms": summary_ms(answered.seconds),
        "answers_sent_ok": answers_ok,
        "answers_stored": rows,
        "polls_per_s": round(polled.per_second, 1),
        "polls_rounds": polled.rates,
        "polls_latency_ms": summary_ms(polled.seconds),
        "polls_statuses": dict(polled.statuses),
        "peak_memory_mb": round(peak / 2**20, 1),
    }
    delays = outcome.delays()
    result["classes"] = {
        "classes": plan.classes,
        "students": plan.classes * plan.students,
        "questions": plan.questions,
        "seconds": round(outcome.ended - outcome.started, 1),
        "requests": outcome.requests,
        "requests_per_s": round(outcome.requests / (outcome.ended - outcome.started), 1),
        "answer_latency_ms": summary_ms(outcome.answer_seconds),
        "polls": outcome.polls,
        "polls_per_s": round(outcome.polls / (outcome.ended - outcome.started), 1),
        "reload_latency_ms": summary_ms(outcome.reload_seconds),
        "update_delay_ms": summary_ms(delays),
        "update_delay_by_action_ms": {
            action: summary_ms(seconds) for action, seconds in outcome.delays_by_action().items()
        },
        "refreshes": outcome.refreshes,
        "double_submits": outcome.doubles,
        "checked": checked,
        "errors": outcome.errors[:20],
        "error_count": len(outcome.errors),
        "connection_failures": len(outcome.connection_failures),
        "connection_failure_examples": outcome.connection_failures[:10],
        "generator_lag_ms": summary_ms(lag.lags),
    }
    result["study"] = {
        "learners": args.learners,
        "finished": learned.finished,
        "question_page_ms": summary_ms(learned.question_seconds),
        "answer_submit_ms": summary_ms(learned.answer_seconds),
        "feedback_page_ms": summary_ms(learned.feedback_seconds),
        "errors": learned.errors[:20],
        "generator_lag_ms": summary_ms(study_lag.lags),
    }
    result["page_weight"] = [*weight, sat["weight"]]
    result["ratios"] = {
        "answers_to_insert": round(answered.per_second / inserts.per_second, 3),
        "polls_to_json": round(polled.per_second / documents.per_second, 3),
    }
    result["slow_clients"] = await slow_clients(name, plan, prepared, env, folder, settings)
    result["throttling"] = await throttled(name, plan, prepared, env, folder, settings, args)
    result["restart"] = await restarts(name, prepared, env, folder, settings)
    result["reports"] = reports.scenario(name, url)
    return result


async def restarts(name, prepared, env, folder, settings) -> dict:
    """Graceful restarts (SIGHUP) with no poll held, then with 1,000 held."""
    phones = restart.SESSIONS * restart.PHONES
    print(f"== {name}: graceful restarts, with no poll held and with {phones}", flush=True)
    pool = [q for q, _ in prepared["questions"]]
    with servers.gunicorn("quizapp:create_app()", env, folder, settings) as server:
        return await restart.scenario(server, prepared["teachers"], PASSWORD, pool)


async def slow_clients(name, plan, prepared, env, folder, settings) -> dict:
    """A class alone, then with slow clients, served as ``tasks.py serve --lan`` does."""
    quick = plan.students < classes.Plan.students
    count = slow.COUNT // 5 if quick else slow.COUNT
    print(f"== {name}: a class, alone and with {count} slow clients; nginx in front", flush=True)
    pool = [q for q, _ in prepared["questions"]]
    with servers.lan("quizapp:create_app()", env, folder, settings) as front:
        teacher = prepared["teachers"][0]
        outcome = await slow.scenario(front, teacher, PASSWORD, pool, plan, count)
        outcome["front_peak_memory_mb"] = round(front.peak_pss / 2**20, 1)
        outcome["server_peak_memory_mb"] = round(front.backend.peak_pss / 2**20, 1)
    return outcome


async def throttled(name, plan, prepared, env, folder, settings, args) -> dict:
    """Throttling's cost at saturation (on and off, in turn), then guessers
    alone, then a class alone and with guessers at it, on gunicorn."""
    rounds = ROUNDS
    warmup_s, measure_s = (0.3, 1.0) if plan.students < classes.Plan.students else (0.5, 2.5)
    print(f"== {name}: throttling: answers on and off, {rounds} rounds each; guessers", flush=True)
    app = "quizapp:create_app()"
    with servers.gunicorn(app, env | {"QUIZ_THROTTLE": "1"}, folder, settings) as server:
        sat = await saturation_session(server, prepared)
        with servers.gunicorn(app, env | {"QUIZ_THROTTLE": "0"}, folder, settings) as off:
            on_rounds, off_rounds, on_cpu, off_cpu = await throttling.cost(
                server, off, sat["players"], sat["choices"], rounds, warmup_s, measure_s
            )
        on, unthrottled = saturation.median_round(on_rounds), saturation.median_round(off_rounds)
        guessed, connections = prepared["guessed"], args.guesser_connections
        attacked = await throttling.attack(
            server, env, guessed[0], PASSWORD, sat["code"], connections
        )
        print(f"== {name}: a class alone, then with guessers at it", flush=True)
        pool = [q for q, _ in prepared["questions"]]
        under = await throttling.class_under_attack(
            server, env, prepared["teachers"][0], guessed[1], PASSWORD, pool, plan, connections
        )
    return {
        "cost": {
            "answers_per_s": round(on.per_second, 1),
            "answers_rounds": on.rates,
            "answers_latency_ms": summary_ms(on.seconds),
            "unthrottled_per_s": round(unthrottled.per_second, 1),
            "unthrottled_rounds": unthrottled.rates,
            "unthrottled_latency_ms": summary_ms(unthrottled.seconds),
            "seconds_per_round": measure_s,
            "ratio": round(on.per_second / unthrottled.per_second, 3),
            # The server's CPU time per answer, each round's, and their medians.
            "cpu_ms_per_answer": statistics.median(on_cpu),
            "cpu_ms_per_answer_rounds": on_cpu,
            "unthrottled_cpu_ms_per_answer": statistics.median(off_cpu),
            "unthrottled_cpu_ms_per_answer_rounds": off_cpu,
        },
        "attack": attacked,
        "class": under,
    }


async def play_classes(plan, prepared, server) -> classes.Outcome:
    """The classes, each with its own questions drawn from the choosable ones."""
    rng = random.Random(plan.seed)
    pool = [q for q, _ in prepared["questions"]]
    question_ids = [rng.sample(pool, plan.questions) for _ in range(plan.classes)]
    return await classes.play(
        plan, server.host, server.port, prepared["teachers"], PASSWORD, question_ids
    )


async def classes_alone(name, url, plan, prepared, server) -> dict:
    """The classes and nothing else, printed (for tuning)."""
    started = resource.getrusage(resource.RUSAGE_SELF)
    server_started = servers.cpu_seconds(server)
    with LoopLag() as lag:
        outcome = await play_classes(plan, prepared, server)
    used = resource.getrusage(resource.RUSAGE_SELF)
    generator_s = used.ru_utime + used.ru_stime - started.ru_utime - started.ru_stime
    seconds = outcome.ended - outcome.started
    server_s = servers.cpu_seconds(server) - server_started
    by_action = {
        action: "/".join(str(summary_ms(delays)[n]) for n in ("p50", "p95"))
        for action, delays in sorted(outcome.delays_by_action().items())
    }
    print(
        f"   {name}: {seconds:.0f} s, {outcome.requests} requests, {outcome.requests / seconds:.0f}/s;"
        f" answers {summary_ms(outcome.answer_seconds)};"
        f" delay {summary_ms(outcome.delays())}; by action (p50/p95) {by_action};"
        f" polls {outcome.polls / seconds:.0f}/s; reloads {summary_ms(outcome.reload_seconds)}; generator lag {summary_ms(lag.lags)};"
        f" CPU, in cores: generator {generator_s / seconds:.2f}, server {server_s / seconds:.2f}"
        f" ({server_s:.0f} s);"
        f" checked {classes.verify(url, outcome)}; errors {outcome.errors[:5]}"
    )
    return {"database": name}


def machine(args) -> dict:
    """What the figures were measured on, and with which server settings."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    config = runpy.run_path(str(servers.CONFIG))
    return {
        "cpu": model,
        "cores": sum(1 for line in cpuinfo if line.startswith("processor")),
        "memory_gb": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": gunicorn.__version__,
        "workers": args.workers or config["workers"],
        "worker_class": config["worker_class"],
        # gunicorn's threads: the working ones, and one per poll a process may hold.
        "threads": args.threads or working_threads(os.environ),
        "held_polls": held_polls(os.environ),
        "nginx": _nginx_version(),
        "date": time.strftime("%Y-%m-%d"),
    }


def _nginx_version() -> str | None:
    binary = tasks.nginx_binary()
    if not binary:
        return None
    said = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr
    return said.strip().rpartition("/")[2]


async def main_async(args) -> dict:
    """The runs asked for, in a scratch folder (databases, gunicorn's logs)
    removed afterwards, or kept and named when a run failed."""
    folder = Path(tempfile.mkdtemp(prefix="quizapp-bench-"))
    try:
        report = await _runs(args, folder)
    except BaseException:
        print(f"the benchmark failed; its databases and server logs are in {folder}")
        raise
    shutil.rmtree(folder, ignore_errors=True)
    return report


async def _runs(args, folder: Path) -> dict:
    report = {"machine": machine(args), "runs": []}
    if args.only in (None, "sqlite"):
        url = f"sqlite:///{folder / 'quizapp.sqlite3'}"
        report["runs"].append(await run_database("sqlite", url, args, folder))
    if args.only in (None, "postgres"):
        if not args.postgres_url:
            raise SystemExit("--postgres-url is needed for PostgreSQL (python3 tasks.py bench)")
        report["machine"]["postgresql"] = servers.one_value(
            args.postgres_url, text("SHOW server_version")
        )
        report["runs"].append(await run_database("postgresql", args.postgres_url, args, folder))
    if args.reports_only:
        report["targets"] = reports.targets(report)
    elif not (
        args.saturation_only
        or args.classes_only
        or args.slow_clients_only
        or args.throttling_only
        or args.restart_only
    ):
        report["targets"] = targets(report) + reports.targets(report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--postgres-url")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--quick", action="store_true", help="a small run, to try the benchmark")
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--classes", type=int, help="how many classes (default 25)")
    parser.add_argument("--access-log", help="gunicorn's access log with request times (tuning)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--classes-only", action="store_true", help="only the classes, printed (for tuning)"
    )
    parser.add_argument(
        "--saturation-only", action="store_true", help="only the throughput figures (for tuning)"
    )
    parser.add_argument(
        "--slow-clients-only",
        action="store_true",
        help="only a class alone and with slow clients (nginx in front), printed",
    )
    parser.add_argument(
        "--throttling-only",
        action="store_true",
        help="only throttling: its cost at saturation, guessers, a class with them; printed",
    )
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="only the learning reports' render times against a plain page, printed",
    )
    parser.add_argument(
        "--restart-only",
        action="store_true",
        help="only graceful restarts with 1,000 held polls and with none, printed",
    )
    parser.add_argument(
        "--guesser-connections",
        type=int,
        default=throttling.CONNECTIONS,
        help="connections of each guesser in the throttling scenario (default 1)",
    )
    args = parser.parse_args(argv)
    # A thousand students are a thousand connections from this one process.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    report = asyncio.run(main_async(args))
    if args.saturation_only or args.classes_only:
        return 0
    if args.slow_clients_only:
        print(render_slow_clients(report))
        return 0
    if args.throttling_only:
        print(render_throttling(report))
        return 0
    if args.restart_only:
        print(render_restart(report))
        return 0
    if args.reports_only:
        print(reports.render(report))
        print(reports.render_targets(report["targets"]))
        return 0 if all(t["met"] for t in report["targets"]) else 1
    table = reports.with_reports(render(report), report)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    (args.out / "latest.txt").write_text(table + "\n")
    return 0 if all(t["met"] for t in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
