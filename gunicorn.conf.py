"""gunicorn settings for running quizapp in production.

    .venv/bin/gunicorn --config gunicorn.conf.py

(``python3 tasks.py serve`` sets up, migrates, imports and runs exactly
that.) Command-line options and the environment variables named below
override these. See docs/operations.md, "Production with gunicorn".

gunicorn listens on this machine only: its threads read each request, so
a client sending requests slowly can hold them all (see
nginx.conf.template, with the figures). For the classroom network,
``python3 tasks.py serve --lan`` puts nginx in front; a school's own
reverse proxy does the same.
"""

import ipaddress
import logging
import os
import signal

from quizapp.config import held_polls, working_threads

wsgi_app = "quizapp:create_app()"
bind = os.environ.get("QUIZ_BIND", "127.0.0.1:8000")

# The worker model, chosen with the benchmark (python3 tasks.py bench) on a
# two-core machine that also ran the load generator, SQLite:
#
#   sync,    2 workers:  answers  576/s, polls 1972/s
#   sync,    3 workers:  answers  603/s, polls 2186/s
#   sync,    4 workers:  answers  543/s, polls 2342/s
#   sync,    6 workers:  answers  410/s, polls 2112/s
#   gthread, 2 × 4:      answers  574/s, polls 2674/s, 258 MB
#   (25 classes of 40: about the same latencies with sync × 3 and gthread 2 × 4)
#
# gthread with one process per core: threads overlap the waits on the
# database (an fsync per answer, PostgreSQL's round trips), a thousand
# phones keep their connections alive instead of opening one per poll
# (sync workers close each connection) and can have their polls held (a
# sync worker would be taken by each), and two processes use a third less
# memory than three or four. Measured with 1,000 phones polling once a
# second, even a bare Flask app under gthread spends 0.6 of a core on
# them: hence the held polls.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Four threads for the work; on top, one for each student's poll the
# process may hold open while nothing changes (quizapp/play/polls.py). A
# held poll waits on an event, using neither the CPU nor a database
# connection, and the app lets only QUIZ_THREADS requests work at once
# (more would only queue for the interpreter lock and the database pool).
threads = working_threads(os.environ) + held_polls(os.environ)
# A connection idle for 5 s is closed (a phone's next poll follows at once).
keepalive = 5
worker_connections = 2000

# A request that takes this long is stuck: the worker is restarted.
timeout = 30
# A worker told to stop (a graceful restart, SIGHUP to the master; or
# SIGTERM) answers its held polls at once (post_worker_init below), so it
# is done in about a second; this only bounds a slow request's last seconds.
graceful_timeout = 20

# Access logs cost time on every poll; the reverse proxy in front usually
# keeps them. Set QUIZ_ACCESS_LOG=- to log to standard output.
accesslog = os.environ.get("QUIZ_ACCESS_LOG") or None
errorlog = "-"


def when_ready(server):
    """Warn when gunicorn itself is reachable from other machines."""
    for address in server.cfg.address:
        if not isinstance(address, tuple):
            continue  # a Unix socket or an inherited descriptor: for a proxy
        host = address[0].strip("[]")
        try:
            beyond = not ipaddress.ip_address(host).is_loopback
        except ValueError:
            beyond = host != "localhost"
        if beyond:
            server.log.warning(
                "gunicorn listens on %s:%s, beyond this machine: slow clients can hold"
                " every thread. For the classroom network run python3 tasks.py serve --lan"
                " (nginx in front), or put a reverse proxy in front (README.md, Production).",
                host,
                address[1],
            )


def post_worker_init(worker):
    """Answer this worker's held polls at once when it is told to stop.

    A graceful restart (SIGHUP to the master, or a deploy) sends each old
    worker SIGTERM; gunicorn's worker then stops accepting and waits for its
    requests to end. A held poll ends only when its session moves on or
    after ``HOLD_S`` (20 s), so a restart took 20 s, the phones' polls
    holding the old workers. Chained to gunicorn's own SIGTERM handler, the
    poll watch answers every held poll "304 Not Modified" (nothing new) and
    holds no more: each phone's script asks again, and that request reaches
    a new worker. (``worker_int`` and ``worker_abort`` are for SIGINT,
    SIGQUIT and SIGABRT, which end a worker at once anyway.)
    """
    watch = getattr(worker.wsgi, "extensions", {}).get("quizapp.poll_watch")
    if watch is None:
        return  # not quizapp (the benchmark's bare baseline): nothing is held
    told_to_stop = signal.getsignal(signal.SIGTERM)

    def stop(signum, frame):
        worker.quiz_told_to_stop = True  # for worker_exit below
        told_to_stop(signum, frame)  # gunicorn's: stop accepting, finish requests
        # Safe in a signal handler: the handler runs in the worker's main
        # thread, which only runs gunicorn's event loop and never takes the
        # watch's lock, so this waits at most for a request thread's moment.
        watch.close()

    signal.signal(signal.SIGTERM, stop)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn sets it


def worker_exit(server, worker):
    """End a worker that stopped cleanly without Python's own shutdown.

    Measured on the benchmark's two-core machine, an old worker spent 1–2 s
    after "Worker exiting" in the interpreter's last garbage collection of
    the app's modules (gdb: ``finalize_modules``), a second or two of
    every restart spent on memory the process gives back anyway. So a
    worker told to stop (SIGTERM, see post_worker_init), once gunicorn has
    answered its requests and tidied up (it calls this hook last), closes
    its database connections properly, flushes the logs and ends at once.
    Any other way out (a failed boot, a timeout's SIGABRT, a crash) is
    gunicorn's own, with the exit status that tells the master what happened.
    """
    if not getattr(worker, "quiz_told_to_stop", False):
        return
    from quizapp.extensions import db

    with worker.wsgi.app_context():
        for engine in db.engines.values():
            engine.dispose()  # SQLite checkpoints its WAL; PostgreSQL sees a goodbye
    logging.shutdown()
    os._exit(0)
