"""How many requests of a server process work at once, and who goes first.

The server has a thread for every poll it may hold (see
:mod:`quizapp.play.polls`), but only ``QUIZ_THREADS`` requests work at once:
without the limit a burst of answers would run on dozens of threads at
once, each waiting for the interpreter lock and a database connection.
A held poll gives its place up while it waits (see
:mod:`quizapp.play.polls`).

Kept here, below the services and the web layer: lending an answer's place
while the database commits it was tried for issue 23 and left out, as its
effect could not be told from the noise of the benchmark on a shared
machine (see docs/development.md, "The benchmark").
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


@contextmanager
def at_work(places: WorkPlaces, line: int) -> Iterator[None]:
    """Hold one of ``places`` (waiting in ``line``) for the block: a request."""
    places.enter(line)
    try:
        yield
    finally:
        places.leave()
