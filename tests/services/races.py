"""Running database work in several threads at one moment, for race tests.

Used by the classroom and the editor tests on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading

from quizapp.extensions import db

THREAD_TIMEOUT = 60


def run_together(app, jobs) -> list:
    """Run each job in its own thread and app context, released at one moment.

    A job is ``(prepare, act)``: ``prepare()`` loads what it needs, then the
    connection is handed back (so twenty threads do not exhaust the pool),
    all threads wait at a barrier, and ``act(*prepared)`` runs. Returns the
    results in the order of ``jobs``; an error in any thread fails the test.
    """
    barrier = threading.Barrier(len(jobs), timeout=THREAD_TIMEOUT)
    results: list = [None] * len(jobs)
    errors: list = []

    def run(index, prepare, act):
        try:
            with app.app_context():
                try:
                    prepared = prepare()
                    db.session.commit()
                    barrier.wait()
                    results[index] = act(*prepared)
                finally:
                    db.session.remove()
        except Exception as error:  # reported below, with the thread's error
            barrier.abort()
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index, *job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return results
