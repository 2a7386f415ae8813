"""Classes: creating them, members joining and coming back, the teacher's
care of members (rename, merge, remove, export, delete), and assignments.

A member's browser keeps the member's token (see :mod:`quizapp.classes.members`);
another browser becomes the same member with the re-entry code. Only a
digest of the code is stored: the student sees it once, and their own
browser can show it again; a teacher who must help can issue a new one.

Every query here is scoped by the class it is given; the interface finds
the class through :func:`teacher_class` (the teacher's own only) or
:func:`class_by_join_token` (a student's link).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from quizapp.domain.nicknames import DenyList, NicknameError, check_nickname, fold
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
    SessionClass,
    User,
)
from quizapp.models.classes import CHECK_PHASES
from quizapp.models.content import utcnow
from quizapp.services.attempts import NothingToDraw, start_attempt

#: Letters and digits nobody confuses when copying from a screen (no 0/O, 1/I/L).
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: The class link's secret: 8 characters, 39 bits.
JOIN_TOKEN_LENGTH = 8
#: A member's re-entry code: 6 characters (29 bits), shown as ABC-DEF; wrong
#: codes count against the address's limit on wrong codes.
CODE_LENGTH = 6
CLASS_NAME_LENGTH = 100
_TRIES = 5


class ClassError(Exception):
    """A class action that cannot be done; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _random_text(length: int, rng: random.Random | None = None) -> str:
    pick = rng.choice if rng else secrets.choice
    return "".join(pick(_ALPHABET) for _ in range(length))


def normal_code(typed: str) -> str:
    """A typed re-entry code as stored: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def shown_code(code: str) -> str:
    """The code as a student reads it: ``ABC-DEF``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _digest(school_class: SchoolClass, code: str) -> str:
    # Salted with the class: the same code in two classes has two digests.
    return hashlib.sha256(f"{school_class.public_id}:{normal_code(code)}".encode()).hexdigest()


# --- classes ------------------------------------------------------------------


def create_class(teacher: User, name: str, request_token: str | None = None) -> SchoolClass:
    """A new class of ``teacher``; the same form sent twice creates one."""
    name = " ".join((name or "").split())[:CLASS_NAME_LENGTH]
    if not name:
        raise ClassError("no_name")
    if request_token:
        existing = db.session.scalar(
            select(SchoolClass).where(SchoolClass.request_token == request_token)
        )
        if existing is not None and existing.teacher_id == teacher.id:
            return existing
    for _ in range(_TRIES):
        school_class = SchoolClass(
            public_id=secrets.token_hex(16),
            join_token=_random_text(JOIN_TOKEN_LENGTH),
            teacher_id=teacher.id,
            name=name,
            request_token=request_token,
        )
        db.session.add(school_class)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if request_token:
                again = db.session.scalar(
                    select(SchoolClass).where(SchoolClass.request_token == request_token)
                )
                if again is not None and again.teacher_id == teacher.id:
                    return again
                request_token = None
            continue
        return school_class
    raise RuntimeError("no free class link found")


def rename_class(school_class: SchoolClass, name: str) -> None:
    name = " ".join((name or "").split())[:CLASS_NAME_LENGTH]
    if not name:
        raise ClassError("no_name")
    school_class.name = name
    db.session.commit()


@dataclass(frozen=True)
class ClassListing:
    school_class: SchoolClass
    members: int
    sessions: int


def teacher_classes(teacher: User) -> list[ClassListing]:
    """The teacher's classes, newest first, with their counts."""
    members = (
        select(ClassMember.class_id, func.count().label("n"))
        .group_by(ClassMember.class_id)
        .subquery()
    )
    sessions = (
        select(SessionClass.class_id, func.count().label("n"))
        .group_by(SessionClass.class_id)
        .subquery()
    )
    rows = db.session.execute(
        select(SchoolClass, func.coalesce(members.c.n, 0), func.coalesce(sessions.c.n, 0))
        .outerjoin(members, members.c.class_id == SchoolClass.id)
        .outerjoin(sessions, sessions.c.class_id == SchoolClass.id)
        .where(SchoolClass.teacher_id == teacher.id)
        .order_by(SchoolClass.created_at.desc(), SchoolClass.id.desc())
    )
    return [ClassListing(*row) for row in rows]


def teacher_class(teacher: User, public_id: str) -> SchoolClass | None:
    """The teacher's class ``public_id``; another teacher's is None, like a missing one."""
    return db.session.scalar(
        select(SchoolClass).where(
            SchoolClass.public_id == public_id, SchoolClass.teacher_id == teacher.id
        )
    )


def class_by_join_token(token: str) -> SchoolClass | None:
    """The class whose link carries ``token`` (typed in any case)."""
    token = normal_code(token)
    if len(token) != JOIN_TOKEN_LENGTH:
        return None
    return db.session.scalar(select(SchoolClass).where(SchoolClass.join_token == token))


def class_of_session(session: ClassSession) -> SchoolClass | None:
    """The class a live session is run for, or None."""
    return db.session.scalar(
        select(SchoolClass)
        .join(SessionClass, SessionClass.class_id == SchoolClass.id)
        .where(SessionClass.session_id == session.id)
    )


def link_session(session: ClassSession, school_class: SchoolClass) -> None:
    """Run ``session`` for ``school_class`` (the same teacher's)."""
    if session.teacher_id != school_class.teacher_id:
        raise ClassError("not_yours")
    db.session.add(SessionClass(session_id=session.id, class_id=school_class.id))
    db.session.commit()


def class_sessions(school_class: SchoolClass) -> list[ClassSession]:
    """The sessions run for the class, oldest first."""
    return list(
        db.session.scalars(
            select(ClassSession)
            .join(SessionClass, SessionClass.session_id == ClassSession.id)
            .where(SessionClass.class_id == school_class.id)
            .order_by(ClassSession.created_at, ClassSession.id)
        )
    )


# --- members ------------------------------------------------------------------


def _member_with_learner_key(key: str) -> bool:
    return db.session.scalar(select(ClassMember.id).where(ClassMember.learner_key == key).limit(1))


def join(
    school_class: SchoolClass,
    nickname: str,
    deny: DenyList,
    learner_key: str | None = None,
) -> tuple[ClassMember, str]:
    """A new member under ``nickname``, and their re-entry code (to show once).

    The browser's self-study identity becomes the member's when it is not
    already another member's, so a student's own practice stays theirs; on
    a shared computer the second student gets a new one. Raises
    :class:`NicknameError` (``taken`` for a nickname already in the class).
    """
    name = check_nickname(nickname, deny)
    if not learner_key or _member_with_learner_key(learner_key):
        learner_key = secrets.token_urlsafe(24)
    for _ in range(_TRIES):
        code = _random_text(CODE_LENGTH)
        member = ClassMember(
            class_id=school_class.id,
            nickname=name,
            nickname_key=fold(name),
            token=secrets.token_urlsafe(24),
            code_digest=_digest(school_class, code),
            learner_key=learner_key,
        )
        db.session.add(member)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if _member_by_nickname(school_class, name) is not None:
                raise NicknameError("taken") from None
            continue  # the code was taken in this class: draw another
        return member, code
    raise RuntimeError("no free re-entry code found")


def _member_by_nickname(school_class: SchoolClass, nickname: str) -> ClassMember | None:
    return db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.nickname_key == fold(nickname)
        )
    )


def member_by_token(school_class: SchoolClass, token: str | None) -> ClassMember | None:
    """The member of ``school_class`` holding ``token``."""
    if not token:
        return None
    return db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.token == token
        )
    )


def reenter(school_class: SchoolClass, code: str) -> ClassMember | None:
    """The member whose re-entry code is ``code``, or None."""
    if len(normal_code(code)) != CODE_LENGTH:
        return None
    return db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id,
            ClassMember.code_digest == _digest(school_class, code),
        )
    )


def member_of(school_class: SchoolClass, member_id: int) -> ClassMember | None:
    """The class's member ``member_id``; another class's is None."""
    return db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.id == member_id
        )
    )


def new_code(member: ClassMember) -> str:
    """Replace a member's re-entry code (the old one stops working); the new one."""
    for _ in range(_TRIES):
        code = _random_text(CODE_LENGTH)
        member.code_digest = _digest(member.school_class, code)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return code
    raise RuntimeError("no free re-entry code found")


def rename(member: ClassMember, nickname: str, deny: DenyList) -> None:
    """Give a member another nickname (checked like a student's own)."""
    name = check_nickname(nickname, deny)
    other = _member_by_nickname(member.school_class, name)
    if other is not None and other.id != member.id:
        raise NicknameError("taken")
    member.nickname, member.nickname_key = name, fold(name)
    db.session.commit()


def merge(into: ClassMember, other: ClassMember) -> None:
    """Make ``other`` part of ``into`` (two entries that are one student).

    ``other``'s players become ``into``'s. For an assignment both did, the
    attempt started first stays linked (a report counts first attempts);
    the other attempt is kept, unlinked, as the student's own practice.
    Every attempt of ``other``'s moves to ``into``'s self-study identity, so
    the student's browsers can open and continue it. ``other`` and its code
    are gone; ``into`` keeps its nickname and code.
    """
    if into.id == other.id or into.class_id != other.class_id:
        raise ClassError("not_mergeable")
    if other.learner_key != into.learner_key:
        db.session.execute(
            update(Attempt)
            .where(Attempt.learner_key == other.learner_key)
            .values(learner_key=into.learner_key)
        )
    db.session.execute(
        update(MemberPlayer).where(MemberPlayer.member_id == other.id).values(member_id=into.id)
    )
    theirs = db.session.scalars(select(MemberAttempt).where(MemberAttempt.member_id == other.id))
    for link in list(theirs):
        mine = db.session.scalar(
            select(MemberAttempt).where(
                MemberAttempt.member_id == into.id,
                MemberAttempt.assignment_id == link.assignment_id,
            )
        )
        if mine is None:
            link.member_id = into.id
        elif link.attempt.created_at < mine.attempt.created_at:
            db.session.delete(mine)
            db.session.flush()
            link.member_id = into.id
        else:
            db.session.delete(link)
    db.session.flush()
    db.session.delete(other)
    db.session.commit()


def remove(member: ClassMember) -> None:
    """Take a member off the class: their answers stay, no longer theirs."""
    db.session.execute(delete(MemberPlayer).where(MemberPlayer.member_id == member.id))
    db.session.execute(delete(MemberAttempt).where(MemberAttempt.member_id == member.id))
    db.session.delete(member)
    db.session.commit()


def member_player_ids(member: ClassMember) -> list[int]:
    return list(
        db.session.scalars(
            select(MemberPlayer.player_id).where(MemberPlayer.member_id == member.id)
        )
    )


def member_attempt_ids(member: ClassMember) -> list[int]:
    return list(
        db.session.scalars(
            select(MemberAttempt.attempt_id).where(MemberAttempt.member_id == member.id)
        )
    )


def delete_member_data(member: ClassMember) -> None:
    """Delete a member and everything the class holds of them: their players
    and answers in the class's sessions, their assignment attempts. Their
    self-study outside the class's assignments is not the class's and stays."""
    players = member_player_ids(member)
    attempts = member_attempt_ids(member)
    db.session.execute(delete(MemberPlayer).where(MemberPlayer.member_id == member.id))
    db.session.execute(delete(MemberAttempt).where(MemberAttempt.member_id == member.id))
    if players:
        db.session.execute(delete(PlayerAnswer).where(PlayerAnswer.player_id.in_(players)))
        db.session.execute(delete(Player).where(Player.id.in_(players)))
    if attempts:
        db.session.execute(delete(Answer).where(Answer.attempt_id.in_(attempts)))
        db.session.execute(delete(AttemptItem).where(AttemptItem.attempt_id.in_(attempts)))
        db.session.execute(delete(Attempt).where(Attempt.id.in_(attempts)))
    db.session.delete(member)
    db.session.commit()


def members_of_players(session: ClassSession) -> dict[int, ClassMember]:
    """Player id → member, for the players of ``session`` that are members."""
    rows = db.session.execute(
        select(MemberPlayer.player_id, ClassMember)
        .join(ClassMember, ClassMember.id == MemberPlayer.member_id)
        .join(Player, Player.id == MemberPlayer.player_id)
        .where(Player.session_id == session.id)
    )
    return {player_id: member for player_id, member in rows}


# --- assignments -------------------------------------------------------------


def form_banks() -> dict[str, str]:
    """Form letter ("A", "B") → the slug of the active bank holding that form."""
    rows = db.session.execute(
        select(QuestionVersion.content["form"].as_string(), Bank.slug)
        .join(Question, Question.live_version_id == QuestionVersion.id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Bank.status == "active", QuestionVersion.content["form"].as_string().is_not(None))
        .distinct()
    )
    return {form: slug for form, slug in rows if form}


def _existing_assignment(request_token: str | None) -> Assignment | None:
    if not request_token:
        return None
    return db.session.scalar(select(Assignment).where(Assignment.request_token == request_token))


def create_study(
    school_class: SchoolClass,
    title: str,
    banks: list[str],
    *,
    length: int | None = None,
    mode: str = "practice",
    confidence: bool = True,
    request_token: str | None = None,
) -> Assignment:
    """Self-study on ``banks`` for the class's members."""
    existing = _existing_assignment(request_token)
    if existing is not None:
        if existing.class_id == school_class.id and existing.kind == "study":
            return existing
        request_token = None  # another form's token: it finds nothing here
    settings = {"banks": sorted(set(banks)), "length": length, "mode": mode}
    settings["confidence"] = confidence
    return _add_assignment(school_class, "study", None, title, settings, request_token)


def create_check(
    school_class: SchoolClass,
    phase: str,
    *,
    counterbalanced: bool = False,
    title: str = "",
    request_token: str | None = None,
) -> Assignment:
    """One phase of the class's before/after check.

    A class has one check: its check-in ("before"), check-out ("after") and
    optional delayed re-check ("later"), each opened once and in that order.
    Whether the forms are counterbalanced is chosen with the check-in.
    """
    if phase not in CHECK_PHASES:
        raise ValueError(f"phase must be one of {CHECK_PHASES}")
    existing = _existing_assignment(request_token)
    if existing is not None:
        if existing.class_id == school_class.id and existing.phase == phase:
            return existing
        request_token = None  # another form's token: it finds nothing here
    if set(form_banks()) < {"A", "B"}:
        raise ClassError("no_forms")
    phases = check_phases(school_class)
    if phase in phases:
        raise ClassError("phase_exists")
    earlier = CHECK_PHASES[: CHECK_PHASES.index(phase)]
    if any(step not in phases for step in earlier):
        raise ClassError("phase_order")
    if phase == "before":
        settings = {"counterbalanced": bool(counterbalanced)}
    else:
        settings = dict(phases["before"].settings)
    return _add_assignment(school_class, "check", phase, title, settings, request_token)


def _add_assignment(school_class, kind, phase, title, settings, request_token) -> Assignment:
    assignment = Assignment(
        public_id=secrets.token_hex(16),
        class_id=school_class.id,
        kind=kind,
        phase=phase,
        title=" ".join((title or "").split())[:200],
        settings=settings,
        request_token=request_token,
    )
    db.session.add(assignment)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        again = _existing_assignment(request_token)
        if again is not None and again.class_id == school_class.id:
            return again
        raise
    return assignment


def check_phases(school_class: SchoolClass) -> dict[str, Assignment]:
    """The phases of the class's check opened so far."""
    rows = db.session.scalars(
        select(Assignment).where(Assignment.class_id == school_class.id, Assignment.kind == "check")
    )
    return {assignment.phase: assignment for assignment in rows}


def class_assignments(school_class: SchoolClass) -> list[Assignment]:
    """Every assignment of the class, oldest first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.class_id == school_class.id)
            .order_by(Assignment.created_at, Assignment.id)
        )
    )


def assignment_of(school_class: SchoolClass, public_id: str) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.class_id == school_class.id, Assignment.public_id == public_id
        )
    )


def close_assignment(assignment: Assignment, closed: bool = True) -> None:
    """Stop (or again allow) members starting the assignment; started attempts go on."""
    assignment.closed_at = utcnow() if closed else None
    db.session.commit()


def member_attempts(member: ClassMember) -> dict[int, MemberAttempt]:
    """Assignment id → the member's attempt link."""
    rows = db.session.scalars(select(MemberAttempt).where(MemberAttempt.member_id == member.id))
    return {link.assignment_id: link for link in rows}


def _forms_taken(assignment: Assignment) -> dict[str, int]:
    rows = db.session.execute(
        select(MemberAttempt.form, func.count())
        .where(MemberAttempt.assignment_id == assignment.id)
        .group_by(MemberAttempt.form)
    )
    return {form: count for form, count in rows}


def _balanced_form(assignment: Assignment) -> str:
    taken = _forms_taken(assignment)
    return "A" if taken.get("A", 0) <= taken.get("B", 0) else "B"


def _member_form(member: ClassMember, phase: str) -> str | None:
    return db.session.scalar(
        select(MemberAttempt.form)
        .join(Assignment, Assignment.id == MemberAttempt.assignment_id)
        .where(
            MemberAttempt.member_id == member.id,
            Assignment.class_id == member.class_id,
            Assignment.kind == "check",
            Assignment.phase == phase,
        )
    )


def form_for(assignment: Assignment, member: ClassMember) -> str:
    """The parallel form ``member`` takes in a phase of the check.

    Not counterbalanced: everyone takes A at the check-in and B at the
    check-out. Counterbalanced: the check-in gives A and B in turn, so the
    halves stay equal as members arrive; the check-out gives each member the
    form they did not take. The delayed re-check gives the check-in's form,
    the one not seen for longest. A member who missed the check-in is
    treated like a newcomer (balanced, or B at the check-out).
    """
    counterbalanced = assignment.settings.get("counterbalanced", False)
    before = _member_form(member, "before")
    if assignment.phase == "before":
        return _balanced_form(assignment) if counterbalanced else "A"
    if assignment.phase == "after":
        if before is not None:
            return "B" if before == "A" else "A"
        return _balanced_form(assignment) if counterbalanced else "B"
    return before or "A"


def start_assignment(
    member: ClassMember, assignment: Assignment, request_token: str | None = None
) -> Attempt:
    """The member's attempt at ``assignment``: the one started before (on any
    of their browsers), or a new one. Raises :class:`ClassError` ``closed``
    for a closed assignment not started, and NothingToDraw for empty banks."""
    if assignment.class_id != member.class_id:
        raise ClassError("not_yours")
    link = member_attempts(member).get(assignment.id)
    if link is not None:
        return link.attempt
    if assignment.closed_at is not None:
        raise ClassError("closed")
    if request_token:
        # One token per member and assignment: a token this learner used to
        # start something else must not hand that attempt back here.
        scope = f"{assignment.public_id}:{member.id}:{request_token}"
        request_token = hashlib.sha256(scope.encode()).hexdigest()
    if assignment.kind == "check":
        form = form_for(assignment, member)
        slug = form_banks().get(form)
        if slug is None:
            raise NothingToDraw(form)
        attempt = start_attempt(
            member.learner_key,
            [slug],
            mode="test",
            confidence_enabled=True,
            request_token=request_token,
        )
    else:
        form = None
        settings = assignment.settings
        attempt = start_attempt(
            member.learner_key,
            settings["banks"],
            length=settings.get("length"),
            mode=settings.get("mode", "practice"),
            confidence_enabled=settings.get("confidence", True),
            request_token=request_token,
        )
    db.session.add(
        MemberAttempt(
            attempt_id=attempt.id, member_id=member.id, assignment_id=assignment.id, form=form
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # The same member started it at once on two browsers: the first wins,
        # and the attempt just drawn (nothing answered in it yet) is dropped.
        db.session.rollback()
        link = member_attempts(member).get(assignment.id)
        if link is None:
            raise
        _drop_unanswered(attempt)
        return link.attempt
    return attempt


def _drop_unanswered(attempt: Attempt) -> None:
    """Delete an attempt nobody has answered in (a lost race's draw)."""
    if db.session.scalar(select(func.count()).where(Answer.attempt_id == attempt.id)):
        return
    db.session.execute(delete(AttemptItem).where(AttemptItem.attempt_id == attempt.id))
    db.session.execute(delete(Attempt).where(Attempt.id == attempt.id))
    db.session.commit()


def is_check_attempt(attempt: Attempt) -> bool:
    """Whether ``attempt`` is a member's attempt at a phase of a class's check
    (its answers are not shown to the student: see the study results page)."""
    return bool(
        db.session.scalar(
            select(MemberAttempt.attempt_id)
            .join(Assignment, Assignment.id == MemberAttempt.assignment_id)
            .where(MemberAttempt.attempt_id == attempt.id, Assignment.kind == "check")
        )
    )
