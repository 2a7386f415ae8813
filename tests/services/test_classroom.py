"""Classroom sessions through the services: the state machine, joining, answering, races."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from quizapp.classroom.routes import csv_labels
from quizapp.domain.live import SessionOptions
from quizapp.domain.nicknames import DenyList, NicknameError, fold
from quizapp.domain.question_types import ResponseError
from quizapp.extensions import db
from quizapp.models import ClassSession, Player, PlayerAnswer, SessionItem, User
from quizapp.models.content import aware, utcnow
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.attempts import published_versions
from quizapp.services.session_reports import (
    ABSENT,
    MISSED,
    RIGHT,
    WAITING,
    WRONG,
    answered_players,
    questions_csv,
    session_results,
    students_csv,
)
from tests.answers import right_values, wrong_values
from tests.services.races import run_together

DENY = DenyList.of(["shit", "傻逼"])


def make_teacher(name: str = "ms-li") -> User:
    """A teacher account (a cheap hash: hashing is slow and not tested here)."""
    teacher = User(name=name, role="teacher", password_hash="not-a-real-hash")
    db.session.add(teacher)
    db.session.commit()
    return teacher


def make_session(
    count: int = 3, teacher: User | None = None, *, deadline=None, token=None, rng=None, **options
) -> ClassSession:
    """A session in its lobby asking the first ``count`` questions of the starter bank."""
    teacher = teacher or make_teacher()
    versions = published_versions(["starter"])[:count]
    return sessions.create_session(
        teacher,
        "Lesson",
        versions,
        SessionOptions(**options),
        deadline=deadline,
        request_token=token,
        rng=rng,
    )


def make_player(session: ClassSession, nickname: str = "Ann", **kwargs) -> Player:
    return play.join(session, nickname, DENY, **kwargs)


def content_at(session: ClassSession, position: int) -> dict:
    return play.item_at(session, position).question_version.content


def answer_right(session: ClassSession, player: Player, position: int | None = None, round_=1):
    position = session.position if position is None else position
    return play.submit(
        session, player, position, round_, right_values(content_at(session, position)), None
    )


def answer_wrong(session: ClassSession, player: Player, position: int | None = None, round_=1):
    position = session.position if position is None else position
    return play.submit(
        session, player, position, round_, wrong_values(content_at(session, position)), None
    )


def answer_rows() -> list[PlayerAnswer]:
    return list(db.session.scalars(select(PlayerAnswer).order_by(PlayerAnswer.id)))


def count_of(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def move_closing_time_to_the_past(session: ClassSession, by=timedelta(seconds=1)) -> None:
    """Make the open question's limit a second ago, as time would; a
    student-paced deadline also past its grace."""
    if session.pacing == "student":
        by += sessions.DEADLINE_GRACE
    db.session.execute(
        update(ClassSession).where(ClassSession.id == session.id).values(closes_at=utcnow() - by)
    )
    db.session.commit()
    db.session.refresh(session)


class Writes:
    """Records the INSERT, UPDATE and DELETE statements sent to the database."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self.record)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.statements.append(statement)


# Creating a session


def test_a_new_session_waits_in_its_lobby_with_a_six_digit_code(imported):
    with imported.app_context():
        session = make_session(3)
        assert session.phase == "lobby" and session.position is None and session.revision == 0
        assert len(session.code) == 6 and session.code.isdigit()
        assert [item.position for item in session.items] == [0, 1, 2]
        assert session.options == SessionOptions().as_dict()


def test_a_session_needs_at_least_one_question(imported):
    with imported.app_context():
        with pytest.raises(ValueError):
            sessions.create_session(make_teacher(), "Empty", [], SessionOptions())
        assert count_of(ClassSession) == 0


def test_a_title_made_of_many_bank_names_is_cut_to_fit_and_says_so(imported):
    # The default title joins the names of every bank chosen: nine banks are
    # more than the column holds, which PostgreSQL refuses.
    long_title = "，".join(["前后测 A 卷：这句话有出处吗？Before/after check, form A"] * 6)
    with imported.app_context():
        versions = published_versions(["starter"])[:1]
        session = sessions.create_session(make_teacher(), long_title, versions, SessionOptions())
        db.session.commit()
        stored = db.session.get(ClassSession, session.id).title
        assert len(long_title) > 200 and len(stored) == 200
        assert stored.endswith("…") and long_title.startswith(stored[:-1])
        short = sessions.create_session(make_teacher("b"), "Lesson", versions, SessionOptions())
        assert short.title == "Lesson"


def test_the_same_form_sent_twice_creates_one_session(imported):
    with imported.app_context():
        teacher = make_teacher()
        first = make_session(teacher=teacher, token="form-1")
        again = make_session(teacher=teacher, token="form-1")
        assert again.id == first.id and count_of(ClassSession) == 1
        other = make_session(teacher=teacher, token="form-2")
        assert other.id != first.id and count_of(ClassSession) == 2


def test_a_code_in_use_is_never_given_to_another_live_session(imported):
    with imported.app_context():
        teacher = make_teacher()
        first = make_session(teacher=teacher, rng=random.Random(42))
        # The same random source draws the same code first: it must be skipped.
        second = make_session(teacher=teacher, rng=random.Random(42))
        assert first.code != second.code
        live = db.session.scalars(select(ClassSession.code)).all()
        assert len(set(live)) == 2


def test_a_finished_sessions_code_rests_before_it_is_drawn_again(imported):
    with imported.app_context():
        teacher = make_teacher()
        first = make_session(teacher=teacher, rng=random.Random(42))
        code = first.code
        sessions.finish(first, first.revision)
        assert first.code is None and first.phase == "finished"
        assert first.ended_code == code
        assert sessions.session_by_code(code) is None
        assert sessions.ended_with_code(code)
        # Within QUIZ_CODE_REUSE_DAYS the same draw skips the old code: an
        # old QR code says "ended" instead of leading into another class.
        fresh = make_session(teacher=teacher, rng=random.Random(42))
        assert fresh.code != code
        sessions.finish(fresh, fresh.revision)
        # Once that time has passed, the code is free again.
        first.finished_at = utcnow() - timedelta(days=31)
        db.session.commit()
        assert not sessions.ended_with_code(code)
        reused = make_session(teacher=teacher, rng=random.Random(42))
        assert reused.code == code


# The state machine (teacher-paced)


def test_start_opens_the_first_question(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        assert (session.phase, session.position, session.round) == ("open", 0, 1)
        assert session.started_at is not None and session.opened_at is not None
        assert session.closes_at is None  # no time limit: the teacher closes
        assert session.revision == 1


def test_start_with_a_time_limit_sets_when_the_question_closes(imported):
    with imported.app_context():
        session = make_session(3, time_limit=30)
        sessions.start(session, 0)
        assert aware(session.closes_at) - aware(session.opened_at) == timedelta(seconds=30)


def test_a_started_session_cannot_be_started_again(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        with pytest.raises(sessions.Stale):
            sessions.start(session, session.revision)
        assert (session.phase, session.position, session.revision) == ("open", 0, 1)


def test_close_stops_the_question_and_close_twice_is_stale(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        assert session.phase == "closed" and session.closes_at is not None
        assert session.revision == 2
        with pytest.raises(sessions.Stale):
            sessions.close_question(session, 2)
        assert session.revision == 2


def test_vote_again_opens_a_second_round_of_the_same_question(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.discuss(session, 1)
        sessions.vote_again(session, 2)
        assert (session.phase, session.position, session.round) == ("open", 0, 2)
        assert db.session.get(SessionItem, (session.id, 0)).rounds == 2


def test_a_question_can_be_voted_on_again_only_once(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.discuss(session, 1)
        sessions.vote_again(session, 2)
        sessions.close_question(session, 3)
        with pytest.raises(sessions.Stale):
            sessions.vote_again(session, 4)
        assert (session.phase, session.round, session.revision) == ("closed", 2, 4)
        assert db.session.get(SessionItem, (session.id, 0)).rounds == 2


def test_vote_again_needs_the_votes_in_and_not_yet_revealed(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        with pytest.raises(sessions.Stale):
            sessions.vote_again(session, 1)
        assert (session.phase, session.round) == ("open", 1)


def test_next_opens_the_following_question_in_its_first_round(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.discuss(session, 1)
        sessions.vote_again(session, 2)
        sessions.close_question(session, 3)
        sessions.next_question(session, 4)
        assert (session.phase, session.position, session.round) == ("open", 1, 1)


def test_next_while_the_question_is_open_is_stale(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        with pytest.raises(sessions.Stale):
            sessions.next_question(session, 1)
        assert (session.phase, session.position) == ("open", 0)


def test_next_after_the_last_question_finishes_the_session(imported):
    with imported.app_context():
        session = make_session(2)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        sessions.close_question(session, 3)
        sessions.next_question(session, 4)
        assert session.phase == "finished" and session.finished_at is not None
        assert session.code is None and session.position == 1


def test_finish_ends_the_session_once(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.finish(session, 1)
        assert session.phase == "finished" and session.code is None
        with pytest.raises(sessions.Stale):
            sessions.finish(session, 2)
        assert session.revision == 2


def test_an_action_for_an_old_revision_changes_nothing(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        sessions.close_question(session, 3)
        # A "next" the teacher pressed on a screen of revision 2 arrives late:
        # the phase is "closed" again, but it was meant for question 1.
        with pytest.raises(sessions.Stale):
            sessions.next_question(session, 2)
        assert (session.phase, session.position, session.revision) == ("closed", 1, 4)


def test_next_pressed_twice_in_two_tabs_moves_on_one_question(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        public_id = session.public_id
        # Both tabs (two workers, two database sessions) showed revision 2.
        with imported.app_context():
            other_tab = sessions.session_by_public_id(public_id)
            sessions.next_question(other_tab, 2)
        assert session.phase == "closed"  # this tab's view is out of date
        with pytest.raises(sessions.Stale):
            sessions.next_question(session, 2)
        assert (session.phase, session.position, session.revision) == ("open", 1, 3)


def test_a_student_paced_session_starts_everyone_at_once_and_has_no_close(imported):
    with imported.app_context():
        session = make_session(3, pacing="student")
        sessions.start(session, 0)
        assert session.phase == "open" and session.position is None
        with pytest.raises(sessions.Stale):
            sessions.close_question(session, 1)
        assert session.phase == "open" and session.revision == 1


def test_removing_a_player_keeps_their_answers_and_moves_the_revision(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        answer_right(session, player)
        sessions.remove_player(session, player.id)
        assert player.removed_at is not None and session.revision == 2
        assert len(answer_rows()) == 1
        assert sessions.active_players(session) == []


def test_a_player_of_another_session_cannot_be_removed(imported):
    with imported.app_context():
        teacher = make_teacher()
        mine, theirs = make_session(teacher=teacher), make_session(teacher=teacher)
        stranger = make_player(theirs)
        with pytest.raises(LookupError):
            sessions.remove_player(mine, stranger.id)
        assert stranger.removed_at is None


# Time: settle


def test_settle_closes_a_question_whose_time_limit_passed(imported):
    with imported.app_context():
        session = make_session(3, time_limit=10)
        sessions.start(session, 0)
        move_closing_time_to_the_past(session)
        sessions.settle(session)
        assert (session.phase, session.position, session.revision) == ("closed", 0, 2)


def test_settle_finishes_a_student_paced_session_past_its_deadline(imported):
    with imported.app_context():
        session = make_session(3, pacing="student", deadline=utcnow() + timedelta(hours=1))
        sessions.start(session, 0)
        move_closing_time_to_the_past(session)
        sessions.settle(session)
        assert session.phase == "finished" and session.code is None
        assert aware(session.finished_at) == aware(session.closes_at)


@pytest.mark.parametrize("limit", [None, 60])
def test_settle_writes_nothing_when_nothing_is_due(imported, limit):
    with imported.app_context():
        session = make_session(3, time_limit=limit)
        sessions.start(session, 0)
        with Writes() as writes:
            sessions.settle(session)
        assert writes.statements == []
        assert session.phase == "open" and session.revision == 1


def test_settle_writes_nothing_once_the_question_is_closed(imported):
    with imported.app_context():
        session = make_session(3, time_limit=10)
        sessions.start(session, 0)
        move_closing_time_to_the_past(session)
        sessions.settle(session)
        with Writes() as writes:
            sessions.settle(session)
        assert writes.statements == [] and session.revision == 2


# Answering


def test_an_answer_is_graded_and_recorded(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        result = answer_right(session, player)
        assert result.status == "recorded"
        (stored,) = answer_rows()
        assert result.answer.id == stored.id
        assert (stored.position, stored.round, stored.fraction, stored.points) == (0, 1, 1.0, 1.0)
        assert stored.time_taken_ms is not None and stored.time_taken_ms >= 0


def test_a_second_answer_to_the_same_round_is_a_repeat_and_the_first_stands(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        first = answer_wrong(session, player)
        second = answer_right(session, player)
        assert (first.status, second.status) == ("recorded", "repeat")
        assert second.answer.id == first.answer.id
        (stored,) = answer_rows()
        assert stored.fraction == 0.0 and stored.response == first.answer.response


def test_an_answer_after_the_close_is_late_and_writes_nothing(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        assert answer_right(session, player, 0).status == "late"
        assert answer_rows() == []


def test_the_window_is_checked_by_the_writing_statement_not_before_it(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        public_id = session.public_id
        with imported.app_context():  # another worker closes meanwhile
            sessions.close_question(sessions.session_by_public_id(public_id), 1)
        assert session.phase == "open"  # what this request read before
        assert answer_right(session, player, 0).status == "late"
        assert answer_rows() == []


def test_an_answer_after_the_time_limit_is_late_before_anyone_settles(imported):
    with imported.app_context():
        session = make_session(3, time_limit=10)
        player = make_player(session)
        sessions.start(session, 0)
        move_closing_time_to_the_past(session)
        assert session.phase == "open"
        assert answer_right(session, player, 0).status == "late"
        assert answer_rows() == []


def test_an_answer_to_a_question_not_on_screen_is_late(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        assert answer_right(session, player, 1).status == "late"
        assert answer_rows() == []


def test_a_second_vote_is_recorded_separately_and_scores_nothing(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        assert answer_wrong(session, player).status == "recorded"
        sessions.discuss(session, 1)
        sessions.vote_again(session, 2)
        second = answer_right(session, player, 0, round_=2)
        assert second.status == "recorded"
        first, again = answer_rows()
        assert (first.round, first.fraction, first.points) == (1, 0.0, 0.0)
        assert (again.round, again.fraction, again.points) == (2, 1.0, 0.0)


def test_an_answer_for_the_first_round_during_the_second_is_late(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        sessions.discuss(session, 1)
        sessions.vote_again(session, 2)
        assert answer_right(session, player, 0, round_=1).status == "late"
        assert answer_rows() == []


def test_certainty_scoring_needs_a_confidence(imported):
    with imported.app_context():
        session = make_session(3, scoring="certainty")
        player = make_player(session)
        sessions.start(session, 0)
        values = wrong_values(content_at(session, 0))
        with pytest.raises(ResponseError) as refused:
            play.submit(session, player, 0, 1, values, None)
        assert refused.value.code == "no_confidence" and answer_rows() == []
        assert play.submit(session, player, 0, 1, values, 3).status == "recorded"
        assert answer_rows()[0].points == -6.0


def test_student_paced_answers_must_come_in_order(imported):
    with imported.app_context():
        session = make_session(3, pacing="student")
        player = make_player(session)
        sessions.start(session, 0)
        assert answer_right(session, player, 1).status == "not_current"
        assert answer_rows() == []
        assert answer_right(session, player, 0).status == "recorded"
        assert answer_right(session, player, 2).status == "not_current"
        assert answer_wrong(session, player, 1).status == "recorded"
        assert [(row.position, row.round) for row in answer_rows()] == [(0, 1), (1, 1)]


def test_a_student_paced_answer_after_the_deadline_is_late(imported):
    with imported.app_context():
        session = make_session(3, pacing="student", deadline=utcnow() + timedelta(hours=1))
        player = make_player(session)
        sessions.start(session, 0)
        move_closing_time_to_the_past(session)
        assert answer_right(session, player, 0).status == "late"
        assert answer_rows() == []


def test_a_removed_player_cannot_answer(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        sessions.remove_player(session, player.id)
        with pytest.raises(play.JoinRefused) as refused:
            answer_right(session, player)
        assert refused.value.code == "removed" and answer_rows() == []


# Joining


def test_a_player_joining_in_the_lobby_starts_at_the_first_question(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session, "Ann", language="zh")
        assert player.first_position == 0 and player.language == "zh"
        assert player.nickname == "Ann" and player.nickname_key == "ann"


def test_a_late_joiner_starts_at_the_open_question(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        assert make_player(session).first_position == 1


def test_a_late_joiner_after_the_close_starts_at_the_next_question(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        sessions.close_question(session, 3)
        assert make_player(session).first_position == 2


def test_a_late_joiner_of_a_student_paced_session_starts_at_the_first_question(imported):
    with imported.app_context():
        session = make_session(3, pacing="student")
        sessions.start(session, 0)
        assert make_player(session).first_position == 0


def test_late_joining_is_refused_when_the_teacher_turned_it_off(imported):
    with imported.app_context():
        session = make_session(3, late_join=False)
        make_player(session, "Early")
        sessions.start(session, 0)
        with pytest.raises(play.JoinRefused) as refused:
            make_player(session, "Late")
        assert refused.value.code == "started" and count_of(Player) == 1


def test_a_finished_session_cannot_be_joined(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.finish(session, 0)
        with pytest.raises(play.JoinRefused) as refused:
            make_player(session)
        assert refused.value.code == "finished" and count_of(Player) == 0


def test_rejoining_with_the_token_finds_the_same_player(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session, "Ann")
        sessions.start(session, 0)
        answer_right(session, player)
        again = make_player(session, "", token=player.token)
        assert again.id == player.id and again.nickname == "Ann" and count_of(Player) == 1
        assert play.player_answer(again, 0).fraction == 1.0


def test_a_removed_player_cannot_rejoin_with_their_token(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.remove_player(session, player.id)
        with pytest.raises(play.JoinRefused) as refused:
            make_player(session, "Ann again", token=player.token)
        assert refused.value.code == "removed" and count_of(Player) == 1


def test_a_token_of_another_session_makes_a_new_player(imported):
    with imported.app_context():
        teacher = make_teacher()
        first, second = make_session(teacher=teacher), make_session(teacher=teacher)
        player = make_player(first, "Ann")
        other = make_player(second, "Ann", token=player.token)
        assert other.id != player.id and other.session_id == second.id


@pytest.mark.parametrize("look_alike", ["ann", "ANN", "Ａｎｎ", " A n n"])
def test_a_nickname_taken_in_another_case_or_width_is_refused(imported, look_alike):
    with imported.app_context():
        session = make_session(3)
        make_player(session, "Ann")
        with pytest.raises(NicknameError) as refused:
            make_player(session, look_alike)
        assert refused.value.code == "taken" and count_of(Player) == 1


def test_a_nickname_on_the_deny_list_is_refused_at_join(imported):
    with imported.app_context():
        session = make_session(3)
        with pytest.raises(NicknameError) as refused:
            make_player(session, "s h 1 t")
        assert refused.value.code == "denied" and count_of(Player) == 0


def test_generated_nicknames_are_unique_even_when_they_would_clash(imported):
    with imported.app_context():
        session = make_session(3, nicknames="generated")
        # The same random source every time: each name drawn first clashes.
        players = [make_player(session, "shit", rng=random.Random(7)) for _ in range(5)]
        names = [player.nickname for player in players]
        assert len({fold(name) for name in names}) == 5
        assert "shit" not in names


# Races: these run on SQLite and on PostgreSQL (python3 tasks.py test-postgres)


def prepare_player(public_id: str, player_id: int):
    """Load a session and one of its players in this thread's database session."""

    def prepare():
        return sessions.session_by_public_id(public_id), db.session.get(Player, player_id)

    return prepare


def submitting(position: int, values: list[str]):
    def act(session, player):
        return play.submit(session, player, position, 1, values, None).status

    return act


def started_with_players(app, names: list[str]):
    """A started session with ``names`` joined; returns its public id, player ids, content."""
    with app.app_context():
        session = make_session(3)
        players = [make_player(session, name) for name in names]
        sessions.start(session, 0)
        return session.public_id, [p.id for p in players], content_at(session, 0)


def test_two_submits_for_one_player_at_once_record_one_answer(imported):
    public_id, (player_id,), content = started_with_players(imported, ["Ann"])
    attempts = [right_values(content), wrong_values(content)]
    statuses = run_together(
        imported,
        [(prepare_player(public_id, player_id), submitting(0, values)) for values in attempts],
    )
    assert sorted(statuses) == ["recorded", "repeat"]
    winner = attempts[statuses.index("recorded")]
    with imported.app_context():
        (stored,) = answer_rows()
        assert stored.fraction == (1.0 if winner == attempts[0] else 0.0)


def test_twenty_players_answering_at_once_are_all_recorded(imported):
    names = [f"Player {n}" for n in range(20)]
    public_id, player_ids, content = started_with_players(imported, names)
    statuses = run_together(
        imported,
        [
            (prepare_player(public_id, player_id), submitting(0, right_values(content)))
            for player_id in player_ids
        ],
    )
    assert statuses == ["recorded"] * 20
    with imported.app_context():
        assert sorted(row.player_id for row in answer_rows()) == sorted(player_ids)
        session = sessions.session_by_public_id(public_id)
        assert answered_players(session, 0, 1) == 20


def test_a_close_racing_with_submits_leaves_exactly_the_answers_reported_recorded(imported):
    names = [f"Player {n}" for n in range(15)]
    public_id, player_ids, content = started_with_players(imported, names)
    at_close: dict = {}

    def prepare_close():
        return (sessions.session_by_public_id(public_id),)

    def close(session):
        # Close once the first answer is in, so that the close lands among
        # the answers rather than before them all (a submit does more work
        # than a close). Bounded: if none comes, close anyway.
        for _ in range(5000):
            if db.session.scalar(select(func.count()).select_from(PlayerAnswer)):
                break
            db.session.commit()  # a fresh snapshot for the next look
        sessions.close_question(session, session.revision)
        at_close["committed_by"] = utcnow()  # the close has committed by now
        at_close["answers"] = set(db.session.scalars(select(PlayerAnswer.player_id)))
        return "closed"

    jobs = [
        (prepare_player(public_id, player_id), submitting(0, right_values(content)))
        for player_id in player_ids
    ]
    jobs.insert(len(jobs) // 2, (prepare_close, close))
    results = run_together(imported, jobs)
    assert results.count("closed") == 1
    outcome = dict(zip(player_ids, [r for r in results if r != "closed"], strict=True))
    assert set(outcome.values()) <= {"recorded", "late"}
    recorded = {player_id for player_id, status in outcome.items() if status == "recorded"}
    with imported.app_context():
        rows = answer_rows()
        session = sessions.session_by_public_id(public_id)
        # Every "recorded" has its row, every "late" left none.
        assert {row.player_id for row in rows} == recorded and len(rows) == len(recorded)
        # Nothing was written after the close committed.
        assert at_close["answers"] == recorded
        assert all(aware(row.answered_at) <= at_close["committed_by"] for row in rows)
        assert session.phase == "closed" and answered_players(session, 0, 1) == len(recorded)


# Reports


def play_a_lesson(app) -> str:
    """Three questions: Ann answers all right; 小明 one wrong then nothing; 张三 joins late.

    Returns the session's public id.
    """
    with app.app_context():
        session = make_session(3)
        ann, ming = make_player(session, "Ann"), make_player(session, "小明")
        sessions.start(session, 0)
        answer_right(session, ann)
        answer_wrong(session, ming)
        sessions.close_question(session, session.revision)
        sessions.next_question(session, session.revision)
        zhang = make_player(session, "张三")
        answer_right(session, ann)
        answer_right(session, zhang)
        sessions.close_question(session, session.revision)
        sessions.next_question(session, session.revision)
        answer_right(session, ann)
        answer_right(session, zhang)
        sessions.close_question(session, session.revision)
        sessions.finish(session, session.revision)
        return session.public_id


def test_session_results_count_right_answered_absent_and_missed(imported):
    public_id = play_a_lesson(imported)
    with imported.app_context():
        results = session_results(sessions.session_by_public_id(public_id))
        lines = {
            s.player.nickname: (
                [cell.kind for cell in s.cells],
                s.points,
                s.right,
                s.answered,
                s.absent,
            )
            for s in results.students
        }
        assert lines == {
            "Ann": ([RIGHT, RIGHT, RIGHT], 3.0, 3, 3, 0),
            "小明": ([WRONG, MISSED, MISSED], 0.0, 0, 1, 0),
            "张三": ([ABSENT, RIGHT, RIGHT], 2.0, 2, 2, 1),
        }


def test_session_results_add_up_each_questions_distribution(imported):
    public_id = play_a_lesson(imported)
    with imported.app_context():
        results = session_results(sessions.session_by_public_id(public_id))
        assert [(q.first.answered, q.first.right) for q in results.questions] == [
            (2, 1),
            (2, 2),
            (2, 2),
        ]


def test_the_leaderboard_orders_players_by_points(imported):
    public_id = play_a_lesson(imported)
    with imported.app_context():
        results = session_results(sessions.session_by_public_id(public_id))
        assert [s.player.nickname for s in results.leaderboard] == ["Ann", "张三", "小明"]


def test_a_removed_player_leaves_the_leaderboard_and_the_counts_but_keeps_a_line(imported):
    public_id = play_a_lesson(imported)
    with imported.app_context():
        session = sessions.session_by_public_id(public_id)
        ann = db.session.scalar(select(Player).where(Player.nickname == "Ann"))
        sessions.remove_player(session, ann.id)
        results = session_results(session)
        assert [s.player.nickname for s in results.leaderboard] == ["张三", "小明"]
        assert [s.player.nickname for s in results.students if s.removed] == ["Ann"]
        assert results.questions[0].first.answered == 1
        assert answered_players(session, 0, 1) == 1


def test_questions_not_yet_reached_are_waiting_not_missed(imported):
    with imported.app_context():
        session = make_session(3)
        player = make_player(session)
        sessions.start(session, 0)
        assert [c.kind for c in session_results(session).students[0].cells] == [WAITING] * 3
        sessions.close_question(session, 1)
        kinds = [c.kind for c in session_results(session).students[0].cells]
        assert kinds == [MISSED, WAITING, WAITING]
        assert player.first_position == 0


def test_the_count_of_answers_counts_players_per_round(imported):
    with imported.app_context():
        session = make_session(3)
        ann, bo = make_player(session, "Ann"), make_player(session, "Bo")
        sessions.start(session, 0)
        answer_wrong(session, ann)
        answer_wrong(session, bo)
        sessions.discuss(session, 1)
        sessions.vote_again(session, 2)
        answer_right(session, ann, 0, round_=2)
        assert count_of(PlayerAnswer) == 3
        assert answered_players(session, 0, 1) == 2
        assert answered_players(session, 0, 2) == 1
        rounds = session_results(session).questions[0].rounds
        assert [(r.answered, r.right) for r in rounds] == [(2, 0), (1, 1)]


def test_the_students_csv_starts_with_a_bom_and_keeps_chinese_nicknames(imported):
    public_id = play_a_lesson(imported)
    with imported.app_context(), imported.test_request_context():
        labels = csv_labels()
        text = students_csv(session_results(sessions.session_by_public_id(public_id)), labels)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:2] == ["Nickname", "Points"] and rows[0][-3:] == ["Q1", "Q2", "Q3"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Ann", "小明", "张三"}
    assert by_name["张三"][1:5] == ["2", "2", "2", "1"]
    assert by_name["张三"][-3:] == ["absent", "right", "right"]
    assert by_name["小明"][-2:] == ["no answer", "no answer"]


def test_the_questions_csv_starts_with_a_bom_and_keeps_chinese_prompts(imported):
    public_id = play_a_lesson(imported)
    with imported.app_context(), imported.test_request_context():
        session = sessions.session_by_public_id(public_id)
        prompt = content_at(session, 0)["prompt"]["zh"]
        text = questions_csv(session_results(session), csv_labels(), "zh")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 1 + 3
    assert rows[1][:5] == ["1", prompt, "1", "2", "50%"]
