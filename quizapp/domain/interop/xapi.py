"""Each answer of a live session as an xAPI statement, for learning record stores.

A learning record store (LRS) collects "someone did something" statements
from many tools (xAPI 1.0.3, https://github.com/adlnet/xAPI-Spec). This module
writes one statement per answer (every round: a revote is a second answer),
as JSON lines (one statement per line, to be posted to an LRS's statements
resource in batches by any xAPI client) or as one JSON array (what that
resource takes in a single POST, for an LRS whose upload page wants it).

What a statement holds, and why:

``id``
    A name-based UUID (version 5) of the session, the player, the question's
    place in the session and the round: downloading again gives the same
    ids, and an LRS keeps one copy of each. (An LRS answers 409 to a
    statement it has under that id with other content: an answer the
    teacher marked again after an upload, or an upload from another address.)
``actor``
    An Agent with an ``account``: ``homePage`` the app's address and ``name``
    the student's pseudonymous id (:func:`~quizapp.domain.interop.gradebook.pseudonym`,
    as in the gradebook), and ``name`` the nickname. No e-mail, nothing else.
``verb``
    ADL's ``answered``, shown in English and Chinese.
``object``
    The question *version* answered, as a ``cmi.interaction`` Activity:
    ``<app>/questions/<bank>/<question>/versions/<n>``. Per version, because
    xAPI wants one Activity id to keep its definition (its correct
    responses above all) and an edit here makes a new version; the
    question across its versions is in the context's ``grouping``, so an
    LRS can still put them together. Its definition has the prompt as
    name (cut to 100 characters) and description in ``zh-CN`` and
    ``en-US``, the ``interactionType`` and, only for a question whose answer
    the class has been shown (every question of a finished session), the
    ``choices`` and ``correctResponsesPattern``: an export taken during a
    lesson does not carry the answer to the question still open.
``result``
    ``success`` (full marks), ``score`` (``scaled`` the fraction of full
    marks; ``raw`` the points under the session's scoring, with its ``min``
    and ``max``), ``response`` in the interaction type's format and, when
    the time taken is known, ``duration`` in seconds (``PT12.5S``).
``context``
    ``registration``: a UUID (version 5) of the session; ``contextActivities``:
    the session as ``parent`` (``<app>/classroom/<public id>``, an assessment)
    and the question as ``grouping``; ``extensions`` (keys under
    ``<app>/xapi/extensions/``): ``round`` and, when the session asked for
    it, the student's ``confidence`` (1 not sure, 2 fairly sure, 3 very sure).
``timestamp``
    When the answer was recorded, in UTC with milliseconds.

No ``version`` property: xAPI 1.0.3 (Data, 2.4.10) says a statement's
provider SHOULD NOT set it, and MUST set "1.0.0" if it does.

Our types as interactions: single and multiple choice → ``choice`` (the
choice ids a, b, …; several joined with ``[,]``); a claim → ``choice``
between ``supported`` and ``not_supported``; true/false → ``true-false``;
numeric → ``numeric`` (the accepted range ``low[:]high``, or the number
alone when the tolerance is 0); short text → ``fill-in`` (each accepted
answer a pattern, ``{case_matters=false}``: our matching also ignores width,
traditional characters and punctuation at the ends, which xAPI cannot say).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from quizapp.domain.interop.common import CLAIM_ANSWERS
from quizapp.domain.live import SPEED_BONUS
from quizapp.domain.scoring import CBM_RIGHT, CBM_WRONG, is_right

#: Every id this module derives is a UUID in this namespace.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "xapi.quizapp.invalid")
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_DISPLAY = {"en-US": "answered", "zh-CN": "作答"}
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
#: Our languages as the language tags of xAPI's language maps.
LANGUAGE_TAGS = {"zh": "zh-CN", "en": "en-US"}
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "claim": "choice",
    "true_false": "true-false",
    "numeric": "numeric",
    "short_text": "fill-in",
}
#: The lowest and highest points one answer can earn, by the session's scoring.
POINTS_RANGE = {
    "plain": (0.0, 1.0),
    "speed": (0.0, 1.0 + SPEED_BONUS),
    "certainty": (min(CBM_WRONG.values()), max(CBM_RIGHT.values())),
}
NAME_LENGTH = 100
PLATFORM = "quizapp"


@dataclass(frozen=True)
class SessionActivity:
    """The session the answers were given in."""

    public_id: str
    title: str
    scoring: str


@dataclass(frozen=True)
class AskedQuestion:
    """A question version as a session asked it."""

    bank: str
    key: str
    version: int
    content: dict
    #: Whether the class has been shown its answer (the key may go out).
    revealed: bool


@dataclass(frozen=True)
class AnswerRecord:
    """One answer, as the statement tells it."""

    #: Tells the session's players apart in the statement id (not written out).
    player: int
    #: The student's pseudonymous id and nickname.
    learner: str
    nickname: str
    question: AskedQuestion
    position: int
    round: int
    response: Any
    fraction: float
    points: float
    confidence: int | None
    time_taken_ms: int | None
    answered_at: datetime


def checked_base(base_url: str) -> str:
    """``base_url`` without its trailing slash, if it is an absolute http(s) address."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the app's address must be an absolute http(s) URL, not {base_url!r}")
    return base_url.rstrip("/")


def registration(session: SessionActivity) -> str:
    """The session's registration: one UUID for every statement of the session."""
    return str(uuid.uuid5(NAMESPACE, f"session:{session.public_id}"))


def statement_id(session: SessionActivity, record: AnswerRecord) -> str:
    """The answer's statement id: the same in every download."""
    name = f"answer:{session.public_id}:{record.player}:{record.position}:{record.round}"
    return str(uuid.uuid5(NAMESPACE, name))


def language_map(text: dict | None, limit: int | None = None) -> dict[str, str]:
    """``{zh, en}`` as an xAPI language map; ``limit`` cuts long texts with "…"."""
    mapped = {}
    for language, tag in LANGUAGE_TAGS.items():
        value = " ".join(str((text or {}).get(language) or "").split())
        if limit and len(value) > limit:
            value = value[: limit - 1].rstrip() + "…"
        if value:
            mapped[tag] = value
    return mapped


def number(value: float) -> str:
    """A number as an xAPI response writes it: the shortest digits, never "1e-05"
    (to nine decimals, so that 1.1 + 0.1 is "1.2")."""
    value = round(float(value), 9)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = f"{value:.20f}".rstrip("0").rstrip(".")
    return text


def response_text(content: dict, response: Any) -> str | None:
    """The learner's ``response`` in the format of the question's interaction type."""
    if response is None:
        return None
    kind = content.get("type")
    if kind == "multiple":
        return "[,]".join(str(choice) for choice in response)
    if kind == "true_false":
        return "true" if response else "false"
    if kind == "numeric" and isinstance(response, int | float) and not isinstance(response, bool):
        return number(response)
    if kind in INTERACTION_TYPES:
        return str(response)
    return json.dumps(response, ensure_ascii=False)


def correct_responses(content: dict) -> list[str] | None:
    """The answer key as a correct responses pattern (None: the type has none)."""
    kind, answer = content.get("type"), content.get("answer")
    if kind in ("single", "claim"):
        return [str(answer)]
    if kind == "multiple":
        return ["[,]".join(answer)]
    if kind == "true_false":
        return ["true" if answer else "false"]
    if kind == "numeric":
        value, tolerance = answer["value"], answer.get("tolerance", 0)
        if not tolerance:
            return [number(value)]
        return [f"{number(value - tolerance)}[:]{number(value + tolerance)}"]
    if kind == "short_text":
        return ["{case_matters=false}" + accepted for accepted in answer]
    return None


def _choices(content: dict) -> list[dict] | None:
    kind = content.get("type")
    if kind in ("single", "multiple"):
        return [
            {"id": choice["id"], "description": language_map(choice.get("text"))}
            for choice in content.get("choices", ())
        ]
    if kind == "claim":
        return [
            {"id": key, "description": language_map(text)} for key, text in CLAIM_ANSWERS.items()
        ]
    return None


def _segment(text: str) -> str:
    return quote(str(text), safe="-._~")


def question_iri(base: str, question: AskedQuestion) -> str:
    """The question across its versions."""
    return f"{base}/questions/{_segment(question.bank)}/{_segment(question.key)}"


def version_iri(base: str, question: AskedQuestion) -> str:
    """The exact version answered: the statement's object."""
    return f"{question_iri(base, question)}/versions/{question.version}"


def session_iri(base: str, session: SessionActivity) -> str:
    return f"{base}/classroom/{_segment(session.public_id)}"


def extension(base: str, name: str) -> str:
    return f"{base}/xapi/extensions/{name}"


def definition(base: str, question: AskedQuestion) -> dict:
    """The version's Activity definition; the key only once it was revealed."""
    content = question.content
    kind = content.get("type")
    described = {
        "name": language_map(content.get("prompt"), NAME_LENGTH),
        "description": language_map(content.get("prompt")),
        "type": INTERACTION,
        "interactionType": INTERACTION_TYPES.get(kind, "other"),
        "extensions": {extension(base, "question-version"): question.version},
    }
    if question.revealed:
        choices = _choices(content)
        if choices is not None:
            described["choices"] = choices
        pattern = correct_responses(content)
        if pattern is not None:
            described["correctResponsesPattern"] = pattern
    return described


def duration(milliseconds: int) -> str:
    """An ISO 8601 duration in seconds, to the hundredth ("PT12.5S")."""
    return f"PT{decimal_seconds(milliseconds)}S"


def decimal_seconds(milliseconds: int) -> str:
    text = f"{max(milliseconds, 0) / 1000:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def timestamp(moment: datetime) -> str:
    """``moment`` in UTC, with milliseconds and its offset (RFC 3339)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _result(session: SessionActivity, record: AnswerRecord) -> dict:
    low, high = POINTS_RANGE.get(session.scoring, POINTS_RANGE["plain"])
    result: dict[str, Any] = {
        "success": is_right(record.fraction),
        "score": {
            "scaled": round(min(max(record.fraction, 0.0), 1.0), 4),
            "raw": round(min(max(record.points, low), high), 3),
            "min": low,
            "max": high,
        },
    }
    response = response_text(record.question.content, record.response)
    if response is not None:
        result["response"] = response
    if record.time_taken_ms is not None:
        result["duration"] = duration(record.time_taken_ms)
    return result


def statement(base_url: str, session: SessionActivity, record: AnswerRecord) -> dict:
    """One answer as an xAPI statement (see the module docstring)."""
    base = checked_base(base_url)
    question = record.question
    extensions: dict[str, Any] = {extension(base, "round"): record.round}
    if record.confidence is not None:
        extensions[extension(base, "confidence")] = record.confidence
    return {
        "id": statement_id(session, record),
        "actor": {
            "objectType": "Agent",
            "name": record.nickname,
            "account": {"homePage": base, "name": record.learner},
        },
        "verb": {"id": ANSWERED, "display": dict(VERB_DISPLAY)},
        "object": {
            "objectType": "Activity",
            "id": version_iri(base, question),
            "definition": definition(base, question),
        },
        "result": _result(session, record),
        "context": {
            "registration": registration(session),
            "platform": PLATFORM,
            "contextActivities": {
                "parent": [
                    {
                        "objectType": "Activity",
                        "id": session_iri(base, session),
                        "definition": {
                            "type": ASSESSMENT,
                            "name": {"und": " ".join(session.title.split()) or "Quiz"},
                        },
                    }
                ],
                "grouping": [{"objectType": "Activity", "id": question_iri(base, question)}],
            },
            "extensions": extensions,
        },
        "timestamp": timestamp(record.answered_at),
    }


def json_lines(base_url: str, session: SessionActivity, records: list[AnswerRecord]) -> str:
    """The statements of ``records``, one JSON object per line (UTF-8 text)."""
    return "".join(
        json.dumps(statement(base_url, session, record), ensure_ascii=False) + "\n"
        for record in records
    )


def json_array(base_url: str, session: SessionActivity, records: list[AnswerRecord]) -> str:
    """The statements of ``records`` as one JSON array (UTF-8 text), a
    statement per line inside it so that it still reads and diffs well."""
    if not records:
        return "[]\n"
    lines = ",\n".join(
        json.dumps(statement(base_url, session, record), ensure_ascii=False) for record in records
    )
    return f"[\n{lines}\n]\n"
