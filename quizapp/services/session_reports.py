"""What a classroom session adds up to: per student, per question, as CSV.

One load of the session's players and answers serves the projector's
distribution, the live grid of a student-paced session, the results page
and both CSV files, so they can never disagree.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Row, distinct, func, select
from sqlalchemy.orm import selectinload

from quizapp.domain.live import SHIFTS, Distribution, competition_ranks, distribution, vote_shift
from quizapp.domain.scoring import is_right
from quizapp.domain.spreadsheet import safe_cell
from quizapp.extensions import db
from quizapp.i18n import pick
from quizapp.models import ClassSession, Player, PlayerAnswer, SessionItem
from quizapp.services.content import kept

#: A cell of the grid: how one player did on one question.
RIGHT, PARTLY, WRONG, ABSENT, MISSED, WAITING = (
    "right",
    "partly",
    "wrong",
    "absent",
    "missed",
    "waiting",
)


#: What the results read of an answer.
_ANSWER_FIELDS = (
    PlayerAnswer.player_id,
    PlayerAnswer.position,
    PlayerAnswer.round,
    PlayerAnswer.response,
    PlayerAnswer.fraction,
    PlayerAnswer.points,
    PlayerAnswer.time_taken_ms,
)


@dataclass
class Cell:
    """One player × one question: the result kind and the scoring answer
    (a row of :data:`_ANSWER_FIELDS`)."""

    kind: str
    answer: Row | None = None


@dataclass
class StudentResult:
    """One player's line of the results."""

    player: Player
    cells: list[Cell]
    points: float = 0.0
    right: int = 0
    answered: int = 0
    absent: int = 0
    time_ms: int = 0
    #: Joining order, from 1: how the shared screen names a player whose
    #: nickname is hidden or not yet approved.
    number: int = 0
    #: Place among the players still in (ties share it), now and before
    #: the question the session is at.
    rank: int = 0
    previous_rank: int = 0

    @property
    def removed(self) -> bool:
        """The teacher took this player out."""
        return self.player.removed_at is not None


@dataclass
class QuestionResult:
    """One question's line of the results: its distribution per round."""

    item: SessionItem
    rounds: list[Distribution] = field(default_factory=list)
    #: After a revote: how each student's answer moved (student, first
    #: answer, revote, one of SHIFTS), and the count of each shift.
    moves: list[tuple] = field(default_factory=list)

    @property
    def shift_counts(self) -> dict[str, int]:
        """How many students made each of SHIFTS."""
        counted = Counter(move[3] for move in self.moves)
        return {shift: counted[shift] for shift in SHIFTS}

    @property
    def first(self) -> Distribution:
        """The first round, the one that scores."""
        return self.rounds[0]


@dataclass
class SessionResults:
    """Everything the session's pages and exports show."""

    session: ClassSession
    students: list[StudentResult]
    questions: list[QuestionResult]

    @property
    def leaderboard(self) -> list[StudentResult]:
        """Players still in, by points (ties share a rank: see
        ``StudentResult.rank``), then by less time taken."""
        present = [student for student in self.students if not student.removed]
        return sorted(present, key=lambda s: (-s.points, s.time_ms, s.player.nickname))


def reached(session: ClassSession, position: int) -> bool:
    """Whether the teacher-paced session has shown ``position`` (it may be missed)."""
    if session.pacing == "student":
        return session.phase == "finished"
    if session.phase == "finished":
        return session.position is not None and position <= session.position
    if session.position is None:
        return False
    return position < session.position or (
        position == session.position and session.phase in ("voted", "closed", "board")
    )


def session_results(session: ClassSession, distributions: bool = True) -> SessionResults:
    """Load and add up the session's answers (three queries).

    Without ``distributions`` the questions' answer counts are left out:
    a student's results page does not show them, and it is rendered for
    every phone of a class when the session ends.
    """
    items = list(
        db.session.scalars(
            select(SessionItem)
            .where(SessionItem.session_id == session.id)
            .order_by(SessionItem.position)
            .options(selectinload(SessionItem.question_version))
        )
    )
    players = list(
        db.session.scalars(
            select(Player)
            .where(Player.session_id == session.id)
            .order_by(Player.joined_at, Player.id)
        )
    )
    # Rows, not ORM objects: the results only read them, and a finished
    # session's results are rendered for every phone of a class at once.
    answers = db.session.execute(
        select(*_ANSWER_FIELDS).where(PlayerAnswer.session_id == session.id)
    ).all()
    by_key = {(a.player_id, a.position, a.round): a for a in answers}
    students = []
    for number, player in enumerate(players, start=1):
        student = StudentResult(player, [], number=number)
        for item in items:
            answer = by_key.get((player.id, item.position, 1))
            if answer is not None:
                kind = (
                    RIGHT if is_right(answer.fraction) else PARTLY if answer.fraction > 0 else WRONG
                )
                student.answered += 1
                student.points += answer.points
                student.right += kind == RIGHT
                student.time_ms += answer.time_taken_ms or 0
            elif item.position < player.first_position:
                kind = ABSENT
                student.absent += 1
            elif reached(session, item.position):
                kind = MISSED
            else:
                kind = WAITING
            student.cells.append(Cell(kind, answer))
        student.points = round(student.points, 3)
        students.append(student)
    _rank(session, students)
    active = {player.id for player in players if player.removed_at is None}
    questions = []
    for item in items:
        result = QuestionResult(item)
        if distributions:
            content = item.question_version.content
            for round_ in range(1, item.rounds + 1):
                pairs = [
                    (a.response, a.fraction)
                    for a in answers
                    if a.position == item.position and a.round == round_ and a.player_id in active
                ]
                result.rounds.append(distribution(content, pairs))
        if item.rounds > 1:
            for student in students:
                first = by_key.get((student.player.id, item.position, 1))
                second = by_key.get((student.player.id, item.position, 2))
                if first is not None and second is not None and not student.removed:
                    shift = vote_shift(first.fraction, second.fraction)
                    result.moves.append((student, first, second, shift))
        questions.append(result)
    return SessionResults(session, students, questions)


def _rank(session: ClassSession, students: list[StudentResult]) -> None:
    """Set each present student's place now and before the question on screen."""
    present = [student for student in students if not student.removed]
    position = session.position
    before = []
    for student in present:
        cell = student.cells[position] if position is not None else None
        earned = cell.answer.points if cell is not None and cell.answer is not None else 0.0
        before.append(round(student.points - earned, 3))
    now_ranks = competition_ranks([student.points for student in present])
    # Before the first question nobody had a place to move from.
    before_ranks = competition_ranks(before) if position else now_ranks
    for student, rank, previous in zip(present, now_ranks, before_ranks, strict=True):
        student.rank, student.previous_rank = rank, previous


def finished_results(session: ClassSession) -> SessionResults:
    """A finished session's results for its students' pages (without the
    answer counts), worked out once per process for each of its revisions;
    the same for the scoreboard between questions (no answers come then).

    When a lesson ends, every phone of the class asks for them at once, and
    each load reads the whole class's answers (7–11 ms on PostgreSQL). A
    finished session takes no more answers, and whatever else changes it
    (a player removed) moves its revision, which each request reads from
    the database with the session and which is part of the key. The loaded
    players and questions are taken out of the database session, so that no
    later commit of this request expires what other requests read.
    """

    def load() -> SessionResults:
        results = session_results(session, distributions=False)
        loaded = [student.player for student in results.students]
        for question in results.questions:
            loaded += [question.item, question.item.question_version]
        for instance in loaded:
            if instance in db.session:
                db.session.expunge(instance)
        return results

    if session.phase not in ("finished", "board"):
        return session_results(session, distributions=False)
    return kept(("finished results", session.id, session.revision), load)


def round_answers(session_id: int, position: int, round_: int) -> tuple:
    """The conditions that pick the answers to one round of a question given
    by players still in (a query joining the answer to its player)."""
    return (
        PlayerAnswer.session_id == session_id,
        PlayerAnswer.position == position,
        PlayerAnswer.round == round_,
        Player.removed_at.is_(None),
    )


def answered_players(session: ClassSession, position: int, round_: int) -> int:
    """How many *players* (not answers) answered one round: the projector's count."""
    return db.session.scalar(
        select(func.count(distinct(PlayerAnswer.player_id)))
        .join(Player, Player.id == PlayerAnswer.player_id)
        .where(*round_answers(session.id, position, round_))
    )


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    # The BOM makes spreadsheet programs read the file as UTF-8, so
    # Chinese nicknames and prompts show correctly.
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [safe_cell(cell) for cell in row] for row in rows
    )
    return buffer.getvalue()


def students_csv(results: SessionResults, labels: dict[str, str]) -> str:
    """One row per student: totals, then each question's result."""
    header = [
        labels["nickname"],
        labels["points"],
        labels["right"],
        labels["answered"],
        labels["absent"],
        labels["time"],
        labels["removed"],
    ]
    header += [f"Q{item.position + 1}" for item in (q.item for q in results.questions)]
    rows = [header]
    for student in results.students:
        rows.append(
            [
                student.player.nickname,
                f"{student.points:g}",
                student.right,
                student.answered,
                student.absent,
                f"{student.time_ms / 1000:.1f}",
                labels["yes"] if student.removed else "",
            ]
            + [labels[f"cell_{cell.kind}"] for cell in student.cells]
        )
    return _csv(rows)


def questions_csv(results: SessionResults, labels: dict[str, str], language: str) -> str:
    """One row per question and round: answers, share right, the distribution."""
    rows = [
        [
            "#",
            labels["question"],
            labels["round"],
            labels["answered"],
            labels["share_right"],
            labels["distribution"],
        ]
    ]
    for question in results.questions:
        content = question.item.question_version.content
        for number, counted in enumerate(question.rounds, start=1):
            bars = "; ".join(
                f"{_bar_label(bar.label, labels, language)}{' ✓' if bar.correct else ''}: "
                f"{bar.count}"
                for bar in counted.bars
            )
            rows.append(
                [
                    question.item.position + 1,
                    pick(content["prompt"], language),
                    number,
                    counted.answered,
                    f"{counted.share_right:.0%}",
                    bars,
                ]
            )
    return _csv(rows)


def _bar_label(label, labels: dict[str, str], language: str) -> str:
    """A choice's text, or the word for a kind of typed answer or a true/false value."""
    if isinstance(label, dict):
        return pick(label, language)
    return labels.get(f"cell_{label}") or labels[label]
