"""Results going out to other systems: gradebooks for LMSs, statements for an LRS.

This module reads the database (plain SQLAlchemy: SQLite and PostgreSQL
alike) and hands rows to the formats in :mod:`quizapp.domain.interop.gradebook`
and :mod:`quizapp.domain.interop.xapi`, whose docstrings document the files.

What is counted, the same everywhere:

* players the teacher removed are left out (as in the session's analysis);
* a session's grade is its first votes' marks; a revote is a second answer
  and goes out only as a statement;
* the questions a session *asked*: every question of a student-paced session,
  those shown so far (the one on screen included) of a teacher-paced one;
* a class member is known by their class nickname and one pseudonymous id
  across the class; anyone else by the session's nickname and an id of
  that session.

A class's gradebook has a column per graded activity of the class: each
*finished* live session run for it and each assignment (self-study, and each
phase of the before/after check), oldest first. A session still running is
left out: its marks are not final. Cells are percents, so that sessions of
different lengths, late joiners and the two forms of the check sit side by
side in one gradebook out of 100.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from quizapp.domain.interop import gradebook, xapi
from quizapp.extensions import db
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
    SessionItem,
)
from quizapp.models.content import aware
from quizapp.services import classes
from quizapp.services.classroom import item_count, options_of
from quizapp.services.session_reports import session_results


def asked_positions(session: ClassSession) -> int:
    """How many questions ``session`` has asked: all of a student-paced one
    (each student works through them all), the first ``position + 1`` of a
    teacher-paced one (the question on screen counts: its answers do)."""
    if session.pacing == "student":
        return item_count(session) if session.phase != "lobby" else 0
    return 0 if session.position is None else session.position + 1


def revealed(session: ClassSession, position: int) -> bool:
    """Whether the class has been shown the answer of the question at ``position``."""
    if session.phase == "finished":
        return True
    if session.pacing == "student" or session.position is None:
        return False
    return position < session.position or (
        position == session.position and session.phase in ("closed", "board")
    )


def learners(session: ClassSession) -> dict[int, tuple[str, str]]:
    """Player id → (nickname, pseudonymous id) of the players still in the session.

    A class member goes by their class nickname and the class-wide id, the
    same as in the class gradebook.
    """
    players = db.session.execute(
        select(Player.id, Player.nickname).where(
            Player.session_id == session.id, Player.removed_at.is_(None)
        )
    ).all()
    members = classes.members_of_players(session)
    school_class = classes.class_of_session(session) if members else None
    known = {}
    for player_id, nickname in players:
        member = members.get(player_id)
        if member is not None and school_class is not None:
            known[player_id] = (
                member.nickname,
                gradebook.pseudonym(gradebook.MEMBER, school_class.public_id, member.id),
            )
        else:
            known[player_id] = (
                nickname,
                gradebook.pseudonym(gradebook.PLAYER, session.public_id, player_id),
            )
    return known


def _day(moment: datetime | None) -> str:
    return aware(moment).date().isoformat() if moment else ""


def session_title(session: ClassSession) -> str:
    """The session's grade column: its title and the day it was made (sessions
    run again keep their title; an LMS needs one column each)."""
    return f"{' '.join(session.title.split())} ({_day(session.created_at)})"


# --- a session ------------------------------------------------------------------


def session_sheet(session: ClassSession) -> gradebook.SessionSheet:
    """The session's gradebook rows, from its results (first votes)."""
    results = session_results(session, distributions=False)
    names = learners(session)
    grades = []
    for student in results.students:
        # A player removed (or joined) between the two reads is left out.
        if student.removed or student.player.id not in names:
            continue
        nickname, learner = names[student.player.id]
        score = sum(cell.answer.fraction for cell in student.cells if cell.answer is not None)
        grades.append(
            gradebook.SessionGrade(
                student=nickname,
                student_id=learner,
                score=round(score, 3),
                answered=student.answered,
                right=student.right,
                absent=student.absent,
                points=student.points,
            )
        )
    return gradebook.SessionSheet(
        title=session_title(session),
        points_possible=asked_positions(session),
        scoring=options_of(session).scoring,
        grades=grades,
    )


def session_gradebook(session: ClassSession, layout: str = "moodle") -> str:
    """The session's gradebook CSV in ``layout`` ("moodle" or "canvas")."""
    return gradebook.session_gradebook(session_sheet(session), layout)


def session_records(session: ClassSession) -> list[xapi.AnswerRecord]:
    """Every answer of the players still in the session (every round), in the
    order they were asked: by question, round and joining order."""
    questions = {
        position: xapi.AskedQuestion(slug, key, number, content, revealed(session, position))
        for position, number, content, key, slug in db.session.execute(
            select(
                SessionItem.position,
                QuestionVersion.number,
                QuestionVersion.content,
                Question.key,
                Bank.slug,
            )
            .join(QuestionVersion, QuestionVersion.id == SessionItem.question_version_id)
            .join(Question, Question.id == QuestionVersion.question_id)
            .join(Bank, Bank.id == Question.bank_id)
            .where(SessionItem.session_id == session.id)
        )
    }
    names = learners(session)
    rows = db.session.execute(
        select(
            PlayerAnswer.player_id,
            PlayerAnswer.position,
            PlayerAnswer.round,
            PlayerAnswer.response,
            PlayerAnswer.fraction,
            PlayerAnswer.points,
            PlayerAnswer.confidence,
            PlayerAnswer.time_taken_ms,
            PlayerAnswer.answered_at,
        )
        .join(Player, Player.id == PlayerAnswer.player_id)
        .where(PlayerAnswer.session_id == session.id, Player.removed_at.is_(None))
        .order_by(PlayerAnswer.position, PlayerAnswer.round, Player.joined_at, Player.id)
    )
    records = []
    for player_id, position, round_, response, fraction, points, confidence, taken, at in rows:
        if player_id not in names:  # joined since ``learners`` read the players
            continue
        nickname, learner = names[player_id]
        records.append(
            xapi.AnswerRecord(
                player=player_id,
                learner=learner,
                nickname=nickname,
                question=questions[position],
                position=position,
                round=round_,
                response=response,
                fraction=fraction,
                points=points,
                confidence=confidence,
                time_taken_ms=taken,
                answered_at=at,
            )
        )
    return records


def session_statements(session: ClassSession, base_url: str, array: bool = False) -> str:
    """The session's answers as xAPI statements, one JSON object per line (or,
    with ``array``, one JSON array); ``base_url`` is the app's address (ids
    and the actors' home page)."""
    activity = xapi.SessionActivity(session.public_id, session.title, options_of(session).scoring)
    write = xapi.json_array if array else xapi.json_lines
    return write(base_url, activity, session_records(session))


# --- a class --------------------------------------------------------------------


def _session_percents(sessions: list[ClassSession]) -> dict[int, dict[int, float]]:
    """Session id → member id → percent of the questions the session asked."""
    ids = [session.id for session in sessions]
    if not ids:
        return {}
    players = db.session.execute(
        select(Player.id, Player.session_id, MemberPlayer.member_id)
        .join(MemberPlayer, MemberPlayer.player_id == Player.id)
        .where(Player.session_id.in_(ids), Player.removed_at.is_(None))
    ).all()
    marks = dict(
        db.session.execute(
            select(PlayerAnswer.player_id, func.sum(PlayerAnswer.fraction))
            .where(PlayerAnswer.session_id.in_(ids), PlayerAnswer.round == 1)
            .group_by(PlayerAnswer.player_id)
        ).all()
    )
    asked = {session.id: asked_positions(session) for session in sessions}
    percents: dict[int, dict[int, float]] = defaultdict(dict)
    for player_id, session_id, member_id in players:
        if not asked[session_id]:
            continue
        percent = 100 * (marks.get(player_id) or 0.0) / asked[session_id]
        # A member who somehow played twice keeps the better of the two.
        percents[session_id][member_id] = max(percent, percents[session_id].get(member_id, 0.0))
    return percents


def _assignment_percents(assignments: list[Assignment]) -> dict[int, dict[int, float]]:
    """Assignment id → member id → percent of their finished attempt's items
    (an item left unanswered counts 0)."""
    ids = [assignment.id for assignment in assignments]
    if not ids:
        return {}
    links = db.session.execute(
        select(MemberAttempt.assignment_id, MemberAttempt.member_id, MemberAttempt.attempt_id)
        .join(Attempt, Attempt.id == MemberAttempt.attempt_id)
        .where(MemberAttempt.assignment_id.in_(ids), Attempt.finished_at.is_not(None))
    ).all()
    attempts = [attempt_id for *_, attempt_id in links]
    if not attempts:
        return {}
    items = dict(
        db.session.execute(
            select(AttemptItem.attempt_id, func.count())
            .where(AttemptItem.attempt_id.in_(attempts))
            .group_by(AttemptItem.attempt_id)
        ).all()
    )
    marks = dict(
        db.session.execute(
            select(Answer.attempt_id, func.sum(Answer.fraction))
            .where(Answer.attempt_id.in_(attempts))
            .group_by(Answer.attempt_id)
        ).all()
    )
    percents: dict[int, dict[int, float]] = defaultdict(dict)
    for assignment_id, member_id, attempt_id in links:
        if items.get(attempt_id):
            percents[assignment_id][member_id] = (
                100 * (marks.get(attempt_id) or 0.0) / items[attempt_id]
            )
    return percents


def class_sheet(school_class: SchoolClass) -> gradebook.ClassSheet:
    """The class's gradebook: a column per finished session and per assignment."""
    sessions = [s for s in classes.class_sessions(school_class) if s.phase == "finished"]
    assignments = classes.class_assignments(school_class)
    by_session = _session_percents(sessions)
    by_assignment = _assignment_percents(assignments)
    columns = [
        (aware(s.created_at), session_title(s), by_session.get(s.id, {})) for s in sessions
    ] + [(aware(a.created_at), a.title, by_assignment.get(a.id, {})) for a in assignments]
    columns.sort(key=lambda column: column[0])
    members = db.session.execute(
        select(ClassMember.id, ClassMember.nickname)
        .where(ClassMember.class_id == school_class.id)
        .order_by(ClassMember.nickname_key)
    ).all()
    grades = [
        gradebook.ClassGrade(
            student=nickname,
            student_id=gradebook.pseudonym(gradebook.MEMBER, school_class.public_id, member_id),
            percents=[cells.get(member_id) for _, _, cells in columns],
        )
        for member_id, nickname in members
    ]
    return gradebook.ClassSheet([title for _, title, _ in columns], grades)


def class_gradebook(school_class: SchoolClass, layout: str = "moodle") -> str:
    """The class's gradebook CSV in ``layout`` ("moodle" or "canvas")."""
    return gradebook.class_gradebook(class_sheet(school_class), layout)
