"""Everything a class holds of one member, as one JSON-ready document: the
teacher's export before deleting a member's data (or for the student)."""

from __future__ import annotations

from sqlalchemy import select

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
    Player,
    PlayerAnswer,
    Question,
    QuestionVersion,
    SchoolClass,
    SessionItem,
)
from quizapp.models.content import aware
from quizapp.services import classes


def _when(moment) -> str | None:
    """An ISO 8601 time in UTC, with its offset (SQLite hands times back naive)."""
    return aware(moment).isoformat() if moment is not None else None


def _answer_record(answer, version: QuestionVersion, key: str, bank: str) -> dict:
    return {
        "position": answer.position + 1,
        "bank": bank,
        "question": key,
        "version": version.number,
        "response": answer.response,
        "right": answer.fraction >= 1,
        "fraction": answer.fraction,
        "confidence": answer.confidence,
        "points": answer.points,
        "time_taken_ms": answer.time_taken_ms,
        "answered_at": _when(answer.answered_at),
    }


def member_export(school_class: SchoolClass, member: ClassMember) -> dict:
    """What the class holds of ``member``: their sessions' players and answers,
    their assignments' attempts and answers."""
    players = classes.member_player_ids(member)
    attempts = classes.member_attempt_ids(member)
    sessions = {}
    for player, live in db.session.execute(
        select(Player, ClassSession)
        .join(ClassSession, ClassSession.id == Player.session_id)
        .where(Player.id.in_(players))
        .order_by(Player.id)
    ):
        sessions[player.id] = {
            "session": live.title,
            "started_at": _when(live.started_at),
            "nickname": player.nickname,
            "joined_at": _when(player.joined_at),
            "removed_at": _when(player.removed_at),
            "answers": [],
        }
    for answer, version, key, bank in db.session.execute(
        select(PlayerAnswer, QuestionVersion, Question.key, Bank.slug)
        .join(
            SessionItem,
            (SessionItem.session_id == PlayerAnswer.session_id)
            & (SessionItem.position == PlayerAnswer.position),
        )
        .join(QuestionVersion, QuestionVersion.id == SessionItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(PlayerAnswer.player_id.in_(players))
        .order_by(PlayerAnswer.player_id, PlayerAnswer.position, PlayerAnswer.round)
    ):
        record = _answer_record(answer, version, key, bank)
        record["round"] = answer.round
        sessions[answer.player_id]["answers"].append(record)
    assignments = {}
    for link, assignment, attempt in db.session.execute(
        select(MemberAttempt, Assignment, Attempt)
        .join(Assignment, Assignment.id == MemberAttempt.assignment_id)
        .join(Attempt, Attempt.id == MemberAttempt.attempt_id)
        .where(MemberAttempt.attempt_id.in_(attempts))
        .order_by(Attempt.created_at, Attempt.id)
    ):
        assignments[attempt.id] = {
            "assignment": assignment.title,
            "kind": assignment.kind,
            "phase": assignment.phase,
            "form": link.form,
            "mode": attempt.mode,
            "started_at": _when(attempt.created_at),
            "finished_at": _when(attempt.finished_at),
            "questions": len(attempt.items),
            "answers": [],
        }
    for answer, version, key, bank in db.session.execute(
        select(Answer, QuestionVersion, Question.key, Bank.slug)
        .join(
            AttemptItem,
            (AttemptItem.attempt_id == Answer.attempt_id)
            & (AttemptItem.position == Answer.position),
        )
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Answer.attempt_id.in_(attempts))
        .order_by(Answer.attempt_id, Answer.position)
    ):
        assignments[answer.attempt_id]["answers"].append(_answer_record(answer, version, key, bank))
    return {
        "class": school_class.name,
        "member": {"nickname": member.nickname, "joined_at": _when(member.joined_at)},
        "sessions": list(sessions.values()),
        "assignments": list(assignments.values()),
    }
