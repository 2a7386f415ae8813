"""Evidence of learning: the answers behind item analysis, discernment,
calibration and the before/after check, read from the database for a
session, a class or a bank, and handed to the domain's statistics
(:mod:`quizapp.domain.analysis`).

Each answer is read once, as a flat row (:class:`Response`): who gave it
(the *learner*: a class member, a session's player or a self-study
learner), in which *taker* (a session's player or an attempt: the unit
whose other answers are the "rest of the test"), to which question
*version* (answers to different versions are never mixed: an edit makes a
new item), with its mark, response and confidence.

**First attempts.** As Moodle does by default, a report counts each
learner's first answer to each version: a second attempt at the same
questions measures memory of the first, not the question. In a live
session the first round counts ("vote again" is a second attempt after
discussion). ``first_only=False`` counts every answer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean
from typing import Any, NamedTuple

from sqlalchemy import select

from quizapp.domain.analysis.calibration import STATED, CalibrationReport, calibration
from quizapp.domain.analysis.change import PairedChange, paired_change
from quizapp.domain.analysis.discernment import (
    ClassDiscernment,
    Discernment,
    Judgement,
    discernment,
    summarise_class,
)
from quizapp.domain.analysis.items import (
    Distractors,
    ItemStatistics,
    Mark,
    TestStatistics,
    distractor_tables,
    item_statistics,
    random_guess_score,
    test_statistics,
)
from quizapp.domain.scoring import CBM_BREAK_EVEN, is_right
from quizapp.domain.spreadsheet import safe_cell
from quizapp.extensions import db
from quizapp.i18n import pick
from quizapp.models import (
    Answer,
    Assignment,
    Attempt,
    AttemptItem,
    Bank,
    ClassMember,
    ClassSession,
    MemberAttempt,
    MemberPlayer,
    Player,
    PlayerAnswer,
    Question,
    QuestionVersion,
    SchoolClass,
    SessionClass,
    SessionItem,
)
from quizapp.services.session_reports import reached

#: Types whose answers are judgements of a statement (discernment).
JUDGED_TYPES = ("claim", "true_false")
#: Types whose responses name choices (the distractor table).
CHOICE_TYPES = ("single", "multiple")


class Response(NamedTuple):
    """One answer as the reports read it (a tuple: a bank's report makes ten
    thousand of them, and a frozen dataclass costs twice as much to build)."""

    taker: str
    learner: str
    version_id: int
    fraction: float
    response: Any
    confidence: int | None
    answered_at: datetime


@dataclass(frozen=True)
class Item:
    """A question version as the reports show it."""

    version_id: int
    question_id: int
    key: str
    number: int
    content: dict

    @property
    def type(self) -> str:
        return self.content["type"]

    def prompt(self, language: str) -> str:
        return pick(self.content.get("prompt", {}), language)

    @property
    def label(self) -> str:
        """``key v3``: the question and its version."""
        return f"{self.key} v{self.number}"


@dataclass
class Evidence:
    """The answers of a report, with the items and learners they concern."""

    responses: list[Response]
    items: dict[int, Item]
    #: Learner id → the name a teacher knows them by.
    names: dict[str, str] = field(default_factory=dict)
    #: A fixed test: every taker was asked these versions (a session); None
    #: when takers drew their questions (self-study).
    fixed: list[int] | None = None
    #: Takers that were asked the whole fixed test (late joiners were not).
    complete_takers: set[str] = field(default_factory=set)
    _firsts: list[Response] | None = field(default=None, repr=False)

    def counted(self, first_only: bool) -> list[Response]:
        """The responses a report counts: first answers (worked out once for
        all the report's tables), or every one."""
        if not first_only:
            return self.responses
        if self._firsts is None:
            self._firsts = first_answers(self.responses)
        return self._firsts


# --- reading the answers ------------------------------------------------------


def _items(version_ids: Iterable[int]) -> dict[int, Item]:
    ids = sorted(set(version_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            QuestionVersion.id,
            QuestionVersion.question_id,
            Question.key,
            QuestionVersion.number,
            QuestionVersion.content,
        )
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(QuestionVersion.id.in_(ids))
    )
    return {row[0]: Item(*row) for row in rows}


def _session_rows(session_ids: list[int]):
    """Round-1 answers of the sessions' players still in them, with their member."""
    return db.session.execute(
        select(
            Player.id,
            MemberPlayer.member_id,
            SessionItem.question_version_id,
            PlayerAnswer.fraction,
            PlayerAnswer.response,
            PlayerAnswer.confidence,
            PlayerAnswer.answered_at,
        )
        .join(Player, Player.id == PlayerAnswer.player_id)
        .join(
            SessionItem,
            (SessionItem.session_id == PlayerAnswer.session_id)
            & (SessionItem.position == PlayerAnswer.position),
        )
        .outerjoin(MemberPlayer, MemberPlayer.player_id == Player.id)
        .where(
            PlayerAnswer.session_id.in_(session_ids),
            PlayerAnswer.round == 1,
            Player.removed_at.is_(None),
        )
    )


def _player_responses(session_ids: list[int]) -> list[Response]:
    return [
        Response(
            f"p{player}",
            f"m{member}" if member else f"p{player}",
            version,
            fraction,
            response,
            confidence,
            answered_at,
        )
        for player, member, version, fraction, response, confidence, answered_at in _session_rows(
            session_ids
        )
    ]


def session_evidence(session: ClassSession) -> Evidence:
    """The session's answers: a fixed test of its questions in order.

    A question shown and not answered counts 0 for a player who could answer
    it (Moodle counts an unanswered question of a finished attempt as 0),
    so a class that let the time run out is not shown as a perfect one.
    """
    items = list(
        db.session.execute(
            select(SessionItem.position, SessionItem.question_version_id)
            .where(SessionItem.session_id == session.id)
            .order_by(SessionItem.position)
        )
    )
    shown = [(position, version) for position, version in items if reached(session, position)]
    responses = _player_responses([session.id])
    players = list(
        db.session.execute(
            select(Player.id, Player.nickname, Player.first_position, MemberPlayer.member_id)
            .outerjoin(MemberPlayer, MemberPlayer.player_id == Player.id)
            .where(Player.session_id == session.id, Player.removed_at.is_(None))
        )
    )
    answered = {(r.taker, r.version_id) for r in responses}
    at = session.finished_at or session.started_at or session.created_at
    complete = set()
    for player, _, first, member in players:
        taker = f"p{player}"
        learner = f"m{member}" if member else taker
        if first == 0:
            complete.add(taker)
        for position, version in shown:
            if position >= first and (taker, version) not in answered:
                responses.append(Response(taker, learner, version, 0.0, None, None, at))
    names = _learner_names(players)
    return Evidence(
        responses,
        _items(version for _, version in items),
        names,
        fixed=[version for _, version in shown],
        complete_takers=complete,
    )


def _learner_names(players) -> dict[str, str]:
    names = {}
    members = {member for *_, member in players if member}
    member_names = (
        dict(
            db.session.execute(
                select(ClassMember.id, ClassMember.nickname).where(ClassMember.id.in_(members))
            ).all()
        )
        if members
        else {}
    )
    for player, nickname, _, member in players:
        if member:
            names[f"m{member}"] = member_names.get(member, nickname)
        else:
            names[f"p{player}"] = nickname
    return names


def class_evidence(school_class: SchoolClass) -> Evidence:
    """Everything the class's members answered: in the class's live sessions
    (round 1) and in its assignments (self-study and the check)."""
    session_ids = list(
        db.session.scalars(
            select(SessionClass.session_id).where(SessionClass.class_id == school_class.id)
        )
    )
    responses = (
        [r for r in _player_responses(session_ids) if r.learner.startswith("m")]
        if session_ids
        else []
    )
    responses += _assignment_responses(school_class)
    names = {
        f"m{member}": nickname
        for member, nickname in db.session.execute(
            select(ClassMember.id, ClassMember.nickname).where(
                ClassMember.class_id == school_class.id
            )
        )
    }
    responses = [r for r in responses if r.learner in names]
    return Evidence(responses, _items(r.version_id for r in responses), names)


def _assignment_responses(
    school_class: SchoolClass, kind: str | None = None, phase: str | None = None
) -> list[Response]:
    query = (
        select(
            Answer.attempt_id,
            MemberAttempt.member_id,
            AttemptItem.question_version_id,
            Answer.fraction,
            Answer.response,
            Answer.confidence,
            Answer.answered_at,
        )
        .join(
            AttemptItem,
            (AttemptItem.attempt_id == Answer.attempt_id)
            & (AttemptItem.position == Answer.position),
        )
        .join(MemberAttempt, MemberAttempt.attempt_id == Answer.attempt_id)
        .join(Assignment, Assignment.id == MemberAttempt.assignment_id)
        .where(Assignment.class_id == school_class.id)
    )
    if kind:
        query = query.where(Assignment.kind == kind)
    if phase:
        query = query.where(Assignment.phase == phase)
    return [
        Response(f"a{attempt}", f"m{member}", version, fraction, response, confidence, at)
        for attempt, member, version, fraction, response, confidence, at in db.session.execute(
            query
        )
    ]


def _self_study_responses(*where) -> list[Response]:
    """Self-study answers matching ``where``: each attempt a taker, each
    learner cookie a learner."""
    rows = db.session.execute(
        select(
            Answer.attempt_id,
            Attempt.learner_key,
            AttemptItem.question_version_id,
            Answer.fraction,
            Answer.response,
            Answer.confidence,
            Answer.answered_at,
        )
        .join(
            AttemptItem,
            (AttemptItem.attempt_id == Answer.attempt_id)
            & (AttemptItem.position == Answer.position),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(*where)
    )
    return [
        Response(f"a{attempt}", f"l{learner}", version, fraction, response, confidence, at)
        for attempt, learner, version, fraction, response, confidence, at in rows
    ]


def bank_evidence(bank: Bank) -> Evidence:
    """All self-study answers to the bank's questions, any version, any learner."""
    versions = (
        select(QuestionVersion.id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Question.bank_id == bank.id)
    )
    responses = _self_study_responses(AttemptItem.question_version_id.in_(versions))
    return Evidence(responses, _items(r.version_id for r in responses))


def question_evidence(question: Question) -> Evidence:
    """Every answer to any version of ``question``: self-study and live sessions,
    with the rest of each taker's test (for discrimination)."""
    versions = list(
        db.session.scalars(
            select(QuestionVersion.id).where(QuestionVersion.question_id == question.id)
        )
    )
    attempts = select(AttemptItem.attempt_id).where(AttemptItem.question_version_id.in_(versions))
    responses = _self_study_responses(Answer.attempt_id.in_(attempts))
    sessions = list(
        db.session.scalars(
            select(SessionItem.session_id)
            .where(SessionItem.question_version_id.in_(versions))
            .distinct()
        )
    )
    if sessions:
        responses += _player_responses(sessions)
    return Evidence(responses, _items(r.version_id for r in responses))


def _when(response: Response) -> tuple:
    return response.answered_at, response.taker


def first_answers(responses: list[Response]) -> list[Response]:
    """Each learner's first answer to each version, with the rest of the taker
    it came from (the other answers of that attempt or player)."""
    first: dict[tuple[str, int], Response] = {}
    for response in sorted(responses, key=_when):
        first.setdefault((response.learner, response.version_id), response)
    firsts = {(r.taker, r.version_id) for r in first.values()}
    return [r for r in responses if (r.taker, r.version_id) in firsts]


# --- item analysis ------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    item: Item
    statistics: ItemStatistics
    distractors: Distractors | None


@dataclass
class ItemReport:
    rows: list[ItemRow]
    test: TestStatistics | None
    takers: int
    first_only: bool

    @property
    def flagged(self) -> list[ItemRow]:
        return [row for row in self.rows if row.statistics.flags]


def _chosen(item: Item, response) -> tuple[str, ...] | None:
    if item.type == "single":
        return (response,) if isinstance(response, str) else ()
    if item.type == "multiple":
        return tuple(response or ())
    if item.type in JUDGED_TYPES and response is not None:
        return (str(response).lower(),)
    return None


def _choice_ids(item: Item) -> tuple[list[str], set[str]]:
    """The choices a distractor table lists, and the key among them."""
    answer = item.content.get("answer")
    if item.type in CHOICE_TYPES:
        ids = [choice["id"] for choice in item.content.get("choices", ())]
        return ids, set(answer) if isinstance(answer, list) else {answer}
    if item.type == "claim":
        return ["supported", "not_supported"], {answer}
    return ["true", "false"], {str(answer).lower()}


def item_report(evidence: Evidence, first_only: bool = True) -> ItemReport:
    """Moodle's item statistics per question version, the test's statistics
    when the takers sat one fixed test, and each choice item's distractors."""
    responses = evidence.counted(first_only)
    marks = [
        Mark(
            r.taker,
            str(r.version_id),
            r.fraction,
            _chosen(evidence.items[r.version_id], r.response),
        )
        for r in responses
        if r.version_id in evidence.items
    ]
    guesses = {
        str(version): random_guess_score(item.type, item.content)
        for version, item in evidence.items.items()
    }
    with_choices = {
        str(version): _choice_ids(item)
        for version, item in evidence.items.items()
        if item.type in (*CHOICE_TYPES, *JUDGED_TYPES)
    }
    tables = distractor_tables(marks, with_choices)
    rows = [
        ItemRow(evidence.items[int(s.item)], s, tables.get(s.item))
        for s in item_statistics(marks, guesses)
    ]
    order = {version: index for index, version in enumerate(evidence.fixed or ())}
    rows.sort(key=lambda row: (order.get(row.item.version_id, len(order)), row.item.label))
    test = None
    if evidence.fixed:
        fixed = {str(version) for version in evidence.fixed}
        whole = [
            mark for mark in marks if mark.taker in evidence.complete_takers and mark.item in fixed
        ]
        test = test_statistics(whole)
    return ItemReport(rows, test, len({mark.taker for mark in marks}), first_only)


def item_flags(question: Question) -> ItemRow | None:
    """The item statistics of the question's live version, from every first
    answer to it (self-study and sessions), or None before any answer."""
    if question.live_version_id is None:
        return None
    report = item_report(question_evidence(question))
    return next(
        (row for row in report.rows if row.item.version_id == question.live_version_id), None
    )


# --- discernment and calibration -------------------------------------------------


def judgements(responses: Iterable[Response], items: dict[int, Item]) -> list[Judgement]:
    """The responses to claims and true/false statements as judgements."""
    found = []
    for r in responses:
        item = items.get(r.version_id)
        if item is None or item.type not in JUDGED_TYPES or r.response is None:
            continue
        if item.type == "claim":
            truth, said = item.content["answer"] == "supported", r.response == "supported"
        else:
            truth, said = bool(item.content["answer"]), r.response is True
        found.append(Judgement(truth, said, r.confidence))
    return found


@dataclass(frozen=True)
class LearnerRow:
    learner: str
    name: str
    answered: int
    score: float | None  # mean fraction of first answers
    discernment: Discernment
    calibration: CalibrationReport


@dataclass
class LearningReport:
    """Per learner and for the group: discernment and calibration."""

    learners: list[LearnerRow]
    discernment: Discernment
    class_discernment: ClassDiscernment
    calibration: CalibrationReport
    #: The probability each confidence level states (for the calibration chart).
    stated: dict[int, float] = field(default_factory=lambda: dict(STATED))
    #: The share right from which each level pays off (the chart's marks).
    break_even: dict[int, float] = field(default_factory=lambda: dict(CBM_BREAK_EVEN))


def _by_learner(responses: list[Response]) -> dict[str, list[Response]]:
    grouped: dict[str, list[Response]] = {}
    for r in responses:
        grouped.setdefault(r.learner, []).append(r)
    return grouped


def _rated(responses: Iterable[Response]) -> list[tuple[int | None, bool]]:
    return [(r.confidence, is_right(r.fraction)) for r in responses if r.response is not None]


def learning_report(
    evidence: Evidence, first_only: bool = True, per_learner: bool = True
) -> LearningReport:
    """Discernment and calibration of the group, and of each learner unless
    ``per_learner`` is off (a bank's anonymous self-study shows no learner)."""
    responses = evidence.counted(first_only)
    answered = [r for r in responses if r.response is not None]
    rows = []
    for learner, theirs in _by_learner(answered).items() if per_learner else ():
        rows.append(
            LearnerRow(
                learner,
                evidence.names.get(learner, learner),
                len(theirs),
                mean(r.fraction for r in theirs),
                discernment(judgements(theirs, evidence.items)),
                calibration(_rated(theirs)),
            )
        )
    rows.sort(key=lambda row: row.name.casefold())
    return LearningReport(
        rows,
        discernment(judgements(answered, evidence.items)),
        summarise_class([row.discernment for row in rows]),
        calibration(_rated(answered)),
    )


def learner_learning(learner_key: str) -> LearningReport:
    """A self-study learner's own discernment and calibration, over all their
    first answers."""
    responses = _self_study_responses(Attempt.learner_key == learner_key)
    evidence = Evidence(responses, _items(r.version_id for r in responses))
    return learning_report(evidence)


def attempt_learning(attempt: Attempt) -> LearningReport:
    """One attempt's discernment and calibration (its results page)."""
    responses = [
        Response(
            f"a{attempt.id}",
            "me",
            item.question_version_id,
            item.answer.fraction,
            item.answer.response,
            item.answer.confidence,
            item.answer.answered_at,
        )
        for item in attempt.items
        if item.answer is not None
    ]
    items = {
        item.question_version_id: Item(
            item.question_version_id,
            item.question_version.question_id,
            "",
            item.question_version.number,
            item.question_version.content,
        )
        for item in attempt.items
    }
    return learning_report(Evidence(responses, items, {"me": ""}))


# --- the before/after check ------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """A member's result in one phase of the check."""

    form: str | None
    score: float  # percent of the form's items, unanswered as 0
    d_prime: float | None
    finished: bool


@dataclass(frozen=True)
class ChangeRow:
    member: str
    name: str
    before: CheckResult | None
    after: CheckResult | None
    later: CheckResult | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after.score - self.before.score


@dataclass
class BeforeAfter:
    rows: list[ChangeRow]
    score: PairedChange
    d_prime: PairedChange
    later_score: PairedChange | None
    counterbalanced: bool
    phases: dict[str, Assignment]

    @property
    def paired(self) -> list[ChangeRow]:
        return [row for row in self.rows if row.change is not None]


def _phase_results(link_rows, items: dict[int, Item]) -> dict[int, CheckResult]:
    """Member id → their result, from (member, form, attempt, finished, item version,
    answer fraction, response) rows of one phase."""
    grouped: dict[int, dict] = {}
    for member, form, attempt, finished, version, fraction, response, confidence in link_rows:
        entry = grouped.setdefault(
            member, {"form": form, "finished": finished is not None, "items": 0, "responses": []}
        )
        entry["items"] += 1
        if fraction is not None:
            entry["responses"].append(
                Response(
                    f"a{attempt}", f"m{member}", version, fraction, response, confidence, finished
                )
            )
    results = {}
    for member, entry in grouped.items():
        responses = entry["responses"]
        score = 100 * sum(r.fraction for r in responses) / entry["items"] if entry["items"] else 0.0
        judged = discernment(judgements(responses, items))
        results[member] = CheckResult(entry["form"], score, judged.d_prime, entry["finished"])
    return results


def _check_rows(assignment: Assignment):
    return db.session.execute(
        select(
            MemberAttempt.member_id,
            MemberAttempt.form,
            Attempt.id,
            Attempt.finished_at,
            AttemptItem.question_version_id,
            Answer.fraction,
            Answer.response,
            Answer.confidence,
        )
        .join(Attempt, Attempt.id == MemberAttempt.attempt_id)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .outerjoin(
            Answer,
            (Answer.attempt_id == AttemptItem.attempt_id)
            & (Answer.position == AttemptItem.position),
        )
        .where(MemberAttempt.assignment_id == assignment.id)
    ).all()


def before_after(school_class: SchoolClass) -> BeforeAfter:
    """Each member's check-in, check-out and delayed re-check, and the class's change.

    Only finished attempts are paired: a check-out left half done would show
    as a fall. The score is the percent of the form right (partial credit
    counts its fraction); d′ is the member's discernment on the form's claims.
    """
    phases = {
        a.phase: a
        for a in db.session.scalars(
            select(Assignment).where(
                Assignment.class_id == school_class.id, Assignment.kind == "check"
            )
        )
    }
    raw = {phase: _check_rows(assignment) for phase, assignment in phases.items()}
    items = _items(row[4] for rows in raw.values() for row in rows)
    results = {phase: _phase_results(rows, items) for phase, rows in raw.items()}
    members = db.session.execute(
        select(ClassMember.id, ClassMember.nickname)
        .where(ClassMember.class_id == school_class.id)
        .order_by(ClassMember.nickname_key)
    ).all()

    def finished(phase: str, member: int) -> CheckResult | None:
        result = results.get(phase, {}).get(member)
        return result if result is not None and result.finished else None

    rows = [
        ChangeRow(
            f"m{member}",
            name,
            finished("before", member),
            finished("after", member),
            finished("later", member),
        )
        for member, name in members
    ]
    score_pairs = [(r.before.score, r.after.score) for r in rows if r.before and r.after]
    d_pairs = [
        (r.before.d_prime, r.after.d_prime)
        for r in rows
        if r.before and r.after and r.before.d_prime is not None and r.after.d_prime is not None
    ]
    later_pairs = [(r.before.score, r.later.score) for r in rows if r.before and r.later]
    before = phases.get("before")
    return BeforeAfter(
        rows,
        paired_change(score_pairs),
        paired_change(d_pairs),
        paired_change(later_pairs) if "later" in phases else None,
        bool(before and before.settings.get("counterbalanced")),
        phases,
    )


# --- CSV ------------------------------------------------------------------------


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # spreadsheet programs then read UTF-8 (Chinese names)
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [safe_cell(_cell(cell)) for cell in row] for row in rows
    )
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def items_csv(report: ItemReport, language: str) -> str:
    """One row per question version: Moodle's statistics and the flags."""
    header = [
        "question",
        "version",
        "type",
        "prompt",
        "answers",
        "facility",
        "sd",
        "random_guess_score",
        "discrimination_index",
        "discriminative_efficiency",
        "flags",
    ]
    rows = [header]
    for row in report.rows:
        s = row.statistics
        rows.append(
            [
                row.item.key,
                row.item.number,
                row.item.type,
                row.item.prompt(language),
                s.answers,
                s.facility,
                s.sd,
                s.random_guess,
                s.discrimination_index,
                s.discriminative_efficiency,
                " ".join(s.flags),
            ]
        )
    return _csv(rows)


def distractors_csv(report: ItemReport) -> str:
    """One row per choice of each choice item: share choosing it, by upper and lower third."""
    rows = [["question", "version", "choice", "key", "share", "upper_third", "lower_third"]]
    for row in report.rows:
        if row.distractors is None:
            continue
        for choice in row.distractors.choices:
            rows.append(
                [
                    row.item.key,
                    row.item.number,
                    choice.choice,
                    "yes" if choice.right else "no",
                    choice.share,
                    choice.upper,
                    choice.lower,
                ]
            )
    return _csv(rows)


def learners_csv(report: LearningReport) -> str:
    """One row per learner: score, discernment, calibration."""
    rows = [
        [
            "learner",
            "answered",
            "mean_mark_fraction",
            "hit_rate",
            "false_alarm_rate",
            "d_prime",
            "criterion",
            "lean",
            "auc",
            "brier",
            "over_under_confidence",
        ]
    ]
    for row in report.learners:
        d, c = row.discernment, row.calibration
        rows.append(
            [
                row.name,
                row.answered,
                row.score,
                d.hit_rate,
                d.false_alarm_rate,
                d.d_prime,
                d.criterion,
                d.lean,
                d.auc,
                c.brier,
                c.over_under,
            ]
        )
    return _csv(rows)


def change_csv(check: BeforeAfter) -> str:
    """One row per member: form, score (percent of the form) and d′ of each
    phase, and the change in percentage points."""
    rows = [
        [
            "learner",
            "form_before",
            "score_before_percent",
            "d_prime_before",
            "form_after",
            "score_after_percent",
            "d_prime_after",
            "change_points",
            "form_later",
            "score_later_percent",
        ]
    ]
    for row in check.rows:
        b, a, later = row.before, row.after, row.later
        rows.append(
            [
                row.name,
                b and b.form,
                b and b.score,
                b and b.d_prime,
                a and a.form,
                a and a.score,
                a and a.d_prime,
                row.change,
                later and later.form,
                later and later.score,
            ]
        )
    return _csv(rows)


def report_csv(kind: str, evidence: Evidence, first_only: bool, language: str) -> str:
    """The CSV ``kind`` ("items", "choices" or "learners") of ``evidence``."""
    if kind == "items":
        return items_csv(item_report(evidence, first_only), language)
    if kind == "choices":
        return distractors_csv(item_report(evidence, first_only))
    if kind == "learners":
        return learners_csv(learning_report(evidence, first_only))
    raise ValueError(f"no CSV called {kind!r}")
