"""How many requests of a server process work at once, and who goes first.

The server has a thread for every poll it may hold (see
:mod:`quizapp.play.polls`), but only ``QUIZ_THREADS`` requests work at once:
without the limit a burst of answers would run on dozens of threads at
once, each waiting for the interpreter lock and a database connection.
A request that only waits (a held poll, an answer's write waiting for the
database to make it durable) gives its place up meanwhile
(:func:`waiting_on_the_database`), so the place does work for someone else.

Kept here, below the services and the web layer, because both use it: the
WSGI middleware takes and gives back the places, and the answer's write
lends its place while the database commits.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

#: The lines of :class:`WorkPlaces`, in the order they are served.
CHANGE, NEWS, READ = 0, 1, 2


class WorkPlaces:
    """At most ``places`` requests at work; the others wait in line, in three
    lines served in turn: requests that change something (answers, the
    teacher's controls, joins: anything but GET) first, then held requests
    that woke (a phone's new screen after a teacher's action), then other
    reads (pages, the projector's refreshes).

    When a teacher moves a session on, the held requests of the whole class
    wake at once, and each renders its new screen: forty pages of work in
    line in front of an answer sent at that moment. In the line's order,
    that answer waited for all of them; put first, it waits for one place
    to come free. The screens go before other reads because they are what
    the class is waiting for: in a busy minute, the projectors of other
    classes refreshing their answer counts (7.5 ms each on PostgreSQL)
    would otherwise stand in front of them. Nothing waits long in a lower
    line: answers come at most one per student per question, and a class's
    screens once per teacher action.

    A place is handed from the request leaving to the one it lets in, so
    no request that arrives meanwhile can take it out of turn.
    """

    def __init__(self, places: int):
        self._lock = threading.Lock()
        self._free = places
        self._lines: tuple[deque[threading.Lock], ...] = (deque(), deque(), deque())

    def enter(self, line: int) -> None:
        """Wait for a place in ``line`` (:data:`CHANGE`, :data:`NEWS` or :data:`READ`)."""
        with self._lock:
            if self._free:  # places are only free while nobody waits in line
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._lines[line].append(turn)
        turn.acquire()  # released by leave(): the place is this request's now

    def leave(self) -> None:
        with self._lock:
            for line in self._lines:
                if line:
                    line.popleft().release()
                    return
            self._free += 1


_here = threading.local()


@contextmanager
def at_work(places: WorkPlaces, line: int) -> Iterator[None]:
    """Hold one of ``places`` (waiting in ``line``) for the block: a request."""
    places.enter(line)
    _here.places = places
    try:
        yield
    finally:
        _here.places = None
        places.leave()


@contextmanager
def waiting_on_the_database() -> Iterator[None]:
    """Lend this request's working place while it only waits on the database.

    An answer's INSERT on PostgreSQL waits for the commit to reach the disk;
    meanwhile the interpreter is free, and the place lets a phone's new
    screen be rendered. Back in the first line (:data:`CHANGE`), the answer
    waits for one place to come free. Outside a request (the CLI, tests
    without the middleware) it does nothing.
    """
    places = getattr(_here, "places", None)
    if places is None:
        yield
        return
    places.leave()
    try:
        yield
    finally:
        places.enter(CHANGE)
