"""Rules of live classroom sessions, as plain data and functions.

Options a teacher picks, the join code, how a live answer is scored, the
order of choices on each device, and how answers to one question add up
to the distribution shown on the projector. Nothing here touches the
database or a request; the classroom services store what these decide.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from quizapp.domain.presentation import choice_order
from quizapp.domain.scoring import is_right, points_for

SCORINGS = ("plain", "speed", "certainty")
NICKNAME_MODES = ("free", "generated")
#: Time limits a teacher can pick, in seconds (None: the teacher closes).
TIME_LIMITS = (None, 10, 20, 30, 45, 60, 90, 120, 180, 300)
#: A right answer given at once earns this much on top of its point with
#: the speed bonus on; the bonus falls to 0 at the time limit. It only ever
#: adds to a right answer, so a slow right answer still beats a fast guess
#: (Kahoot's rule halves a slow right answer instead).
SPEED_BONUS = 0.5
CODE_DIGITS = 6
#: Rounds of voting on one question: the first, and one "vote again".
MAX_ROUNDS = 2
#: How many players a session takes unless the teacher says otherwise: a
#: few classes together, far below a script joining bots.
DEFAULT_MAX_PLAYERS = 200
#: The most a teacher may allow (a school hall).
MAX_PLAYERS_ALLOWED = 2000


class OptionError(ValueError):
    """Options that do not fit together (``field`` names the culprit)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SessionOptions:
    """What the teacher chose when creating a session."""

    pacing: str = "teacher"
    time_limit: int | None = None
    scoring: str = "plain"
    late_join: bool = True
    leaderboard: bool = True
    nicknames: str = "free"
    shuffle: bool = True
    #: Joins beyond this many players are refused (players removed by the
    #: teacher still count).
    max_players: int = DEFAULT_MAX_PLAYERS
    #: Peer instruction: the first vote closes without the answer; the class
    #: sees the votes, discusses and votes again, and only then the reveal.
    discussion: bool = False
    #: The scoreboard (top five) between questions, after each reveal (off
    #: for sessions stored before it existed; the new-session form sets it).
    scoreboard: bool = False
    #: A question closes as soon as every player present has answered.
    auto_close: bool = False
    #: Nicknames wait for the teacher's approval before the projector shows them.
    approve_names: bool = False
    #: A question with its own time in the bank (``time_limit``) takes it;
    #: ``time_limit`` is for the others.
    bank_times: bool = True
    #: Nicknames on the shared screen (the live grid, the scoreboard); off,
    #: players are shown by number.
    show_names: bool = True

    def __post_init__(self):
        if self.pacing not in ("teacher", "student"):
            raise OptionError("pacing", f"unknown pacing {self.pacing!r}")
        if self.scoring not in SCORINGS:
            raise OptionError("scoring", f"unknown scoring {self.scoring!r}")
        if self.nicknames not in NICKNAME_MODES:
            raise OptionError("nicknames", f"unknown nickname mode {self.nicknames!r}")
        if (
            not isinstance(self.max_players, int)
            or isinstance(self.max_players, bool)
            or not 1 <= self.max_players <= MAX_PLAYERS_ALLOWED
        ):
            raise OptionError(
                "max_players", f"the number of players must be 1 to {MAX_PLAYERS_ALLOWED}"
            )
        if self.time_limit not in TIME_LIMITS:
            raise OptionError("time_limit", f"time limit must be one of {TIME_LIMITS}")
        if self.pacing == "student" and self.time_limit is not None:
            raise OptionError("time_limit", "student-paced sessions have no per-question limit")
        for name in (
            "discussion",
            "scoreboard",
            "auto_close",
            "approve_names",
            "bank_times",
            "show_names",
        ):
            if not isinstance(getattr(self, name), bool):
                raise OptionError(name, f"{name} must be true or false")
        if self.scoring == "speed" and (self.pacing != "teacher" or self.time_limit is None):
            raise OptionError("scoring", "the speed bonus needs teacher pacing and a time limit")

    @property
    def asks_confidence(self) -> bool:
        """Certainty-based marking asks each answer how sure it is."""
        return self.scoring == "certainty"

    def as_dict(self) -> dict:
        """The options as stored with the session."""
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict) -> SessionOptions:
        """Options stored by :meth:`as_dict` (unknown keys ignored)."""
        known = {key: stored[key] for key in cls.__dataclass_fields__ if key in stored}
        return cls(**known)


def new_code(rng: random.Random) -> str:
    """A join code: digits only, so phones offer their number pad."""
    return "".join(rng.choice("0123456789") for _ in range(CODE_DIGITS))


def clean_code(typed: str) -> str:
    """A typed join code as stored: " 675 373 ", "675-373" and "６７５３７３" are
    "675373" (spaces and dashes as on the projector, full-width digits)."""
    text = unicodedata.normalize("NFKC", typed or "")
    return re.sub(r"[\s\-‐‑–—·.]", "", text)


def item_time_limit(content: dict, options: SessionOptions) -> int | None:
    """Seconds to answer a question in a teacher-paced session: its own time
    from the bank when the session takes it, else the session's."""
    if options.pacing != "teacher":
        return None
    own = content.get("time_limit")
    if options.bank_times and isinstance(own, int) and not isinstance(own, bool):
        return own
    return options.time_limit


def device_choice_order(content: dict, seed: str, position: int, shuffle: bool) -> list[str] | None:
    """The choice order on one player's device: fixed per player and question.

    Derived from the player's seed, so a reload shows the same order and
    nothing needs storing; a neighbour's seed gives another order.
    """
    if not shuffle:
        return None
    return choice_order(content, random.Random(f"{seed}:{position}"))


def live_points(
    options: SessionOptions,
    fraction: float,
    confidence: int | None,
    elapsed_ms: int | None,
    limit_s: int | None = None,
) -> float:
    """The points one answer earns under the session's scoring (``limit_s``:
    the question's time limit, by default the session's)."""
    if options.scoring == "certainty":
        return points_for(fraction, confidence)
    limit_s = limit_s or options.time_limit
    if options.scoring == "speed" and is_right(fraction) and elapsed_ms is not None and limit_s:
        limit_ms = limit_s * 1000
        left = max(0.0, 1 - elapsed_ms / limit_ms)
        return round(fraction + SPEED_BONUS * left, 3)
    return fraction


@dataclass(frozen=True)
class Bar:
    """One bar of the distribution: a choice (or kind of answer) and its count."""

    key: str
    label: Any  # bilingual text of a choice, or a key the template words
    count: int
    correct: bool


@dataclass(frozen=True)
class Distribution:
    """How the players answered one round of one question."""

    answered: int
    right: int
    bars: tuple[Bar, ...]

    @property
    def share_right(self) -> float:
        """Share of the answers with full marks."""
        return self.right / self.answered if self.answered else 0.0

    def count(self, key: str) -> int:
        """The count of the bar ``key`` (0 if none)."""
        return next((bar.count for bar in self.bars if bar.key == key), 0)


def distribution(content: dict, answers: Iterable[tuple[Any, float]]) -> Distribution:
    """Add up ``(response, fraction)`` pairs into bars.

    Choice questions get a bar per choice in the bank's order (a "multiple"
    answer counts on each choice picked); true/false a bar for each value;
    typed answers a bar each for right, partly right and wrong.
    """
    answers = list(answers)
    right = sum(1 for _, fraction in answers if is_right(fraction))
    kind = content["type"]
    counts: Counter = Counter()
    if kind in ("single", "multiple"):
        correct = set(content["answer"]) if kind == "multiple" else {content["answer"]}
        for response, _ in answers:
            counts.update(response if isinstance(response, list) else [response])
        bars = tuple(
            Bar(choice["id"], choice["text"], counts[choice["id"]], choice["id"] in correct)
            for choice in content["choices"]
        )
    elif kind == "true_false":
        counts.update("true" if response else "false" for response, _ in answers)
        bars = tuple(
            Bar(key, key, counts[key], content["answer"] == (key == "true"))
            for key in ("true", "false")
        )
    elif kind == "claim":
        counts.update(response for response, _ in answers)
        bars = tuple(
            Bar(key, key, counts[key], content["answer"] == key)
            for key in ("supported", "not_supported")
        )
    else:
        for _, fraction in answers:
            counts["right" if is_right(fraction) else "partly" if fraction > 0 else "wrong"] += 1
        bars = tuple(
            Bar(key, key, counts[key], key == "right") for key in ("right", "partly", "wrong")
        )
        if not counts["partly"]:
            bars = tuple(bar for bar in bars if bar.key != "partly")
    return Distribution(len(answers), right, bars)


#: The longest folded typed response kept as a key (the column's length).
RESPONSE_KEY_LENGTH = 200


def response_key(response: Any) -> str:
    """A typed response folded so that answers the teacher would call the same
    group together: width, case, spaces and end punctuation do not count."""
    if isinstance(response, bool) or response is None:
        text = str(response)
    elif isinstance(response, float) and response.is_integer():
        text = str(int(response))
    else:
        text = str(response)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split()).strip(" .,;:!?。，；：！？、\"'“”‘’")
    return text[:RESPONSE_KEY_LENGTH]


@dataclass(frozen=True)
class ResponseGroup:
    """Typed answers with the same :func:`response_key`: shown as first typed."""

    key: str
    text: str
    count: int
    fraction: float


def response_groups(answers: Iterable[tuple[Any, float]]) -> list[ResponseGroup]:
    """Group ``(response, fraction)`` pairs of a typed question, most given first."""
    counts: Counter = Counter()
    shown: dict[str, str] = {}
    best: dict[str, float] = {}
    for response, fraction in answers:
        key = response_key(response)
        counts[key] += 1
        shown.setdefault(key, " ".join(str(response).split()))
        best[key] = max(best.get(key, 0.0), fraction)
    return [
        ResponseGroup(key, shown[key], count, best[key])
        for key, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def competition_ranks(scores: list[float]) -> list[int]:
    """Ranks of ``scores`` (best first, in the given order): ties share a rank
    and the next rank skips, as in sport ("1, 2, 2, 4")."""
    order = sorted(range(len(scores)), key=lambda index: -scores[index])
    ranks = [0] * len(scores)
    for place, index in enumerate(order):
        previous = order[place - 1] if place else None
        same = previous is not None and abs(scores[previous] - scores[index]) < 1e-9
        ranks[index] = ranks[previous] if same else place + 1
    return ranks


#: How a student's answer moved between the first vote and the revote.
SHIFTS = ("stayed_right", "to_right", "to_wrong", "stayed_wrong")


def vote_shift(first: float, second: float) -> str:
    """Which of :data:`SHIFTS` a first-vote and revote fraction make."""
    if is_right(first):
        return "stayed_right" if is_right(second) else "to_wrong"
    return "to_right" if is_right(second) else "stayed_wrong"
