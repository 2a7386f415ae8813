"""Live classroom 2.0 in the services: discussion before the reveal, the
scoreboard, closing when all have answered, time per question and more
time, moderation (approve, hide, rename, ban, lock), re-marking typed
answers, deadlines that keep the answer being written, and housekeeping
(idle sessions end, archive, delete)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from quizapp.domain.live import SessionOptions, response_key
from quizapp.extensions import db
from quizapp.models import ClassSession, Player, PlayerAnswer, QuestionVersion, Remark
from quizapp.models.content import aware, utcnow
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.attempts import published_versions
from quizapp.services.banks import add_version
from quizapp.services.content import published_by_bank
from quizapp.services.session_reports import session_results
from tests.answers import right_values, wrong_values
from tests.services.test_classroom import (
    DENY,
    answer_right,
    answer_rows,
    answer_wrong,
    make_player,
    make_session,
    make_teacher,
    move_closing_time_to_the_past,
)


def typed_session(teacher=None, **options) -> ClassSession:
    """A session of one short-text question (the first published one)."""
    teacher = teacher or make_teacher()
    version = next(v for v in all_published() if v.content["type"] == "short_text")
    return sessions.create_session(teacher, "Typed", [version], SessionOptions(**options))


def all_published() -> list[QuestionVersion]:
    return [version for versions in published_by_bank().values() for version in versions]


def type_answer(session, player, text: str):
    return play.submit(session, player, 0, session.round, [text], None)


# Peer instruction: vote, discuss without the answer, vote again, reveal


def test_a_discussion_session_stops_the_first_vote_without_revealing(imported):
    with imported.app_context():
        session = make_session(3, discussion=True)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        assert (session.phase, session.round) == ("voted", 1)
        sessions.vote_again(session, 2)
        assert (session.phase, session.round) == ("open", 2)
        sessions.close_question(session, 3)
        assert session.phase == "closed"  # the second vote's close reveals


def test_a_revote_comes_before_the_reveal_never_after(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        assert session.phase == "closed"
        with pytest.raises(sessions.Stale):
            sessions.vote_again(session, 2)
        assert (session.phase, session.round) == ("closed", 1)


def test_the_teacher_may_stop_for_discussion_then_reveal_without_a_revote(imported):
    with imported.app_context():
        session = make_session(3)
        sessions.start(session, 0)
        sessions.discuss(session, 1)
        assert session.phase == "voted"
        with pytest.raises(sessions.Stale):
            sessions.next_question(session, 2)  # the answer comes first
        sessions.reveal(session, 2)
        assert session.phase == "closed"


def test_a_time_limit_in_a_discussion_session_stops_the_vote_without_revealing(imported):
    with imported.app_context():
        session = make_session(3, discussion=True, time_limit=30)
        sessions.start(session, 0)
        move_closing_time_to_the_past(session)
        sessions.settle(session)
        assert session.phase == "voted"


def test_the_report_shows_how_each_students_answer_moved(imported):
    with imported.app_context():
        session = make_session(3, discussion=True)
        ann, bo, cy = (make_player(session, name) for name in ("Ann", "Bo", "Cy"))
        sessions.start(session, 0)
        answer_wrong(session, ann)
        answer_right(session, bo)
        answer_wrong(session, cy)
        sessions.close_question(session, 1)
        sessions.vote_again(session, 2)
        answer_right(session, ann, 0, round_=2)
        answer_wrong(session, bo, 0, round_=2)
        answer_wrong(session, cy, 0, round_=2)
        question = session_results(session).questions[0]
        moved = {move[0].player.nickname: move[3] for move in question.moves}
        assert moved == {"Ann": "to_right", "Bo": "to_wrong", "Cy": "stayed_wrong"}
        assert question.shift_counts == {
            "stayed_right": 0,
            "to_right": 1,
            "to_wrong": 1,
            "stayed_wrong": 1,
        }


# The scoreboard between questions, ranks with ties


def test_the_scoreboard_comes_between_a_reveal_and_the_next_question(imported):
    with imported.app_context():
        session = make_session(3, scoreboard=True)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        assert (session.phase, session.position) == ("board", 0)
        sessions.next_question(session, 3)
        assert (session.phase, session.position, session.round) == ("open", 1, 1)


def test_the_last_question_goes_straight_to_the_end_without_a_scoreboard(imported):
    with imported.app_context():
        session = make_session(1, scoreboard=True)
        sessions.start(session, 0)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        assert session.phase == "finished"


def test_tied_players_share_a_place_and_each_knows_how_far_they_moved(imported):
    with imported.app_context():
        session = make_session(3, scoreboard=True)
        ann, bo, cy = (make_player(session, name) for name in ("Ann", "Bo", "Cy"))
        sessions.start(session, 0)
        answer_right(session, ann)
        answer_wrong(session, bo)
        answer_wrong(session, cy)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        sessions.next_question(session, 3)
        answer_wrong(session, ann)
        answer_right(session, bo)
        answer_right(session, cy)
        sessions.close_question(session, 4)
        sessions.next_question(session, 5)
        assert session.phase == "board"
        results = session_results(session)
        places = {s.player.nickname: (s.rank, s.previous_rank) for s in results.students}
        # Before question 2: Ann 1st, Bo and Cy 2nd; after it Bo and Cy have 1
        # point like Ann: all three share the first place.
        assert places == {"Ann": (1, 1), "Bo": (1, 2), "Cy": (1, 2)}


# Closing when everyone has answered


def test_a_question_closes_when_every_player_present_has_answered(imported):
    with imported.app_context():
        session = make_session(3, auto_close=True)
        ann, bo = make_player(session, "Ann"), make_player(session, "Bo")
        sessions.start(session, 0)
        answer_right(session, ann)
        db.session.refresh(session)
        assert session.phase == "open"
        answer_wrong(session, bo)
        db.session.refresh(session)
        assert session.phase == "closed" and session.revision == 2


def test_removed_players_and_late_joiners_do_not_hold_a_question_open(imported):
    with imported.app_context():
        session = make_session(3, auto_close=True)
        ann, bo = make_player(session, "Ann"), make_player(session, "Bo")
        sessions.start(session, 0)
        sessions.remove_player(session, bo.id)
        answer_right(session, ann)
        db.session.refresh(session)
        assert session.phase == "closed"


def test_without_the_option_a_question_waits_for_the_teacher(imported):
    with imported.app_context():
        session = make_session(3)
        ann = make_player(session, "Ann")
        sessions.start(session, 0)
        answer_right(session, ann)
        db.session.refresh(session)
        assert session.phase == "open"


def test_the_teacher_may_switch_closing_when_all_answered_during_the_session(imported):
    with imported.app_context():
        session = make_session(3)
        ann = make_player(session, "Ann")
        sessions.start(session, 0)
        sessions.set_option(session, 1, "auto_close", True)
        answer_right(session, ann)
        db.session.refresh(session)
        assert session.phase == "closed"
        with pytest.raises(ValueError):
            sessions.set_option(session, None, "pacing", True)


# Time: per question, more time, a deadline that keeps the answer in progress


def test_each_question_takes_its_own_time_from_the_bank(imported):
    with imported.app_context():
        teacher = make_teacher()
        first, second = published_versions(["starter"])[:2]
        passages = [citation.passage for citation in second.citations]
        timed = add_version(
            second.question, {**second.content, "time_limit": 90}, passages, "editor"
        )
        db.session.commit()
        session = sessions.create_session(
            teacher, "Timed", [first, timed], SessionOptions(time_limit=20)
        )
        assert [item.time_limit for item in session.items] == [20, 90]
        sessions.start(session, 0)
        opened = aware(session.opened_at)
        assert aware(session.closes_at) - opened == timedelta(seconds=20)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        assert aware(session.closes_at) - aware(session.opened_at) == timedelta(seconds=90)


def test_more_time_extends_the_open_question(imported):
    with imported.app_context():
        session = make_session(3, time_limit=20)
        sessions.start(session, 0)
        before = aware(session.closes_at)
        sessions.more_time(session, 1)
        assert aware(session.closes_at) - before == timedelta(seconds=30)
        sessions.close_question(session, 2)
        with pytest.raises(sessions.Stale):
            sessions.more_time(session, 3)


def test_a_student_paced_deadline_can_be_extended(imported):
    with imported.app_context():
        deadline = utcnow() + timedelta(minutes=5)
        session = make_session(3, pacing="student", deadline=deadline)
        sessions.start(session, 0)
        sessions.more_time(session, 1)
        assert aware(session.closes_at) - deadline == timedelta(minutes=10)


def test_an_answer_being_written_at_the_deadline_is_still_taken(imported):
    with imported.app_context():
        session = make_session(3, pacing="student", deadline=utcnow() + timedelta(hours=1))
        player = make_player(session)
        sessions.start(session, 0)
        # The deadline passed 10 s ago: within the grace, the session runs on,
        # no new question is shown, the answer on the screen is recorded.
        db.session.execute(
            update(ClassSession)
            .where(ClassSession.id == session.id)
            .values(closes_at=utcnow() - timedelta(seconds=10))
        )
        db.session.commit()
        db.session.refresh(session)
        sessions.settle(session)
        assert session.phase == "open" and sessions.past_deadline(session)
        assert answer_right(session, player, 0).status == "recorded"
        # After the grace the session ends, and a later answer is too late.
        move_closing_time_to_the_past(session)
        sessions.settle(session)
        assert session.phase == "finished"
        assert answer_right(session, player, 1).status == "late"
        assert [row.position for row in answer_rows()] == [0]


# Moderation


def test_names_wait_for_approval_when_the_teacher_asks_for_it(imported):
    with imported.app_context():
        teacher = make_teacher()
        session = make_session(3, teacher, approve_names=True)
        ann = make_player(session, "Ann")
        assert not ann.name_shown
        sessions.show_name(session, ann.id, True)
        assert db.session.get(Player, ann.id).name_shown
        sessions.show_name(session, ann.id, False)
        assert not db.session.get(Player, ann.id).name_shown
        generated = make_session(3, teacher, approve_names=True, nicknames="generated")
        assert make_player(generated, "").name_shown  # a generated name needs no approval


def test_a_rename_is_checked_and_must_be_free(imported):
    with imported.app_context():
        session = make_session(3)
        ann, _bo = make_player(session, "Ann"), make_player(session, "Bo")
        sessions.rename_player(session, ann.id, "Annie")
        assert db.session.get(Player, ann.id).nickname == "Annie"
        with pytest.raises(ValueError):
            sessions.rename_player(session, ann.id, "bo")
        assert db.session.get(Player, ann.id).nickname == "Annie"


def test_a_ban_holds_for_the_browser_under_any_name(imported):
    with imported.app_context():
        session = make_session(3)
        kicked = make_player(session, "Kicked", device="a" * 32)
        sessions.remove_player(session, kicked.id, ban=True)
        with pytest.raises(play.JoinRefused) as refused:
            make_player(session, "Kicked2", device="a" * 32)
        assert refused.value.code == "removed"
        assert make_player(session, "Other", device="b" * 32).nickname == "Other"


def test_a_removed_player_without_a_ban_may_come_back_from_another_browser(imported):
    with imported.app_context():
        session = make_session(3)
        gone = make_player(session, "Gone", device="a" * 32)
        sessions.remove_player(session, gone.id)
        assert make_player(session, "Back", device="a" * 32).nickname == "Back"


def test_a_locked_session_takes_no_one_new_but_keeps_its_players(imported):
    with imported.app_context():
        session = make_session(3)
        ann = make_player(session, "Ann")
        sessions.set_locked(session, 0, True)
        with pytest.raises(play.JoinRefused) as refused:
            make_player(session, "Bo")
        assert refused.value.code == "locked"
        assert play.join(session, "Ann", DENY, token=ann.token).id == ann.id
        sessions.set_locked(session, 1, False)
        assert make_player(session, "Bo").nickname == "Bo"


# Re-marking typed answers


def test_marking_a_typed_answer_right_updates_every_answer_and_later_ones(imported):
    with imported.app_context():
        session = typed_session()
        ann, bo, cy = (make_player(session, name) for name in ("Ann", "Bo", "Cy"))
        sessions.start(session, 0)
        assert type_answer(session, ann, "A Deep fake").status == "recorded"
        type_answer(session, bo, "a deep fake.")
        assert [row.fraction for row in answer_rows()] == [0.0, 0.0]
        groups = sessions.typed_responses(session, 0, 1)
        assert [(g.key, g.count) for g in groups] == [("a deep fake", 2)]
        changed = sessions.remark(session, 0, "a deep fake", 1.0, make_teacher("mr-wang"))
        assert changed == 2
        assert [(row.fraction, row.points) for row in answer_rows()] == [(1.0, 1.0), (1.0, 1.0)]
        # An answer given after the re-mark is graded the same way.
        type_answer(session, cy, "A DEEP FAKE")
        assert answer_rows()[-1].fraction == 1.0
        results = session_results(session)
        assert [s.points for s in results.students] == [1.0, 1.0, 1.0]
        remark = db.session.scalar(select(Remark))
        assert (remark.response_key, remark.fraction) == (response_key("a deep fake"), 1.0)


def test_a_remark_can_be_undone_and_moves_the_revision(imported):
    with imported.app_context():
        session = typed_session()
        ann = make_player(session, "Ann")
        sessions.start(session, 0)
        type_answer(session, ann, "nonsense")
        revision = session.revision
        teacher = make_teacher("mr-wang")
        sessions.remark(session, 0, "nonsense", 1.0, teacher)
        sessions.remark(session, 0, "nonsense", 0.0, teacher)
        assert answer_rows()[0].fraction == 0.0
        assert session.revision == revision + 2
        assert len(db.session.scalars(select(Remark)).all()) == 1


# Housekeeping: idle sessions end, archive, delete


def test_a_session_idle_too_long_ends_itself_and_cannot_be_joined(imported):
    with imported.app_context():
        session = make_session(3)
        code = session.code
        long_ago = utcnow() - timedelta(hours=13)
        db.session.execute(
            update(ClassSession)
            .where(ClassSession.id == session.id)
            .values(active_at=long_ago, created_at=long_ago)
        )
        db.session.commit()
        assert sessions.session_by_code(code) is None
        db.session.refresh(session)
        assert session.phase == "finished" and session.ended_code == code


def test_a_recent_answer_keeps_a_session_from_counting_as_idle(imported):
    with imported.app_context():
        session = make_session(3, pacing="student")
        ann = make_player(session)
        sessions.start(session, 0)
        answer_right(session, ann, 0)
        long_ago = utcnow() - timedelta(hours=13)
        db.session.execute(
            update(ClassSession)
            .where(ClassSession.id == session.id)
            .values(active_at=long_ago, created_at=long_ago)
        )
        db.session.execute(update(Player).values(joined_at=long_ago))
        db.session.commit()
        db.session.refresh(session)
        assert not sessions.end_if_idle(session)
        db.session.execute(update(PlayerAnswer).values(answered_at=long_ago))
        db.session.commit()
        assert sessions.end_idle_sessions() == 1


def test_archiving_ends_a_running_session_and_hides_it_from_the_list(imported):
    with imported.app_context():
        teacher = make_teacher()
        session = make_session(3, teacher=teacher)
        sessions.archive(session)
        assert session.phase == "finished" and session.archived_at is not None
        assert sessions.teacher_sessions(teacher) == []
        assert [s.session.id for s in sessions.teacher_sessions(teacher, archived=True)] == [
            session.id
        ]
        sessions.archive(session, False)
        assert [s.session.id for s in sessions.teacher_sessions(teacher)] == [session.id]


def test_deleting_a_session_removes_its_players_answers_and_remarks(imported):
    with imported.app_context():
        session = typed_session()
        ann = make_player(session, "Ann")
        sessions.start(session, 0)
        with pytest.raises(sessions.Stale):
            sessions.delete_session(session)  # running: end it first
        type_answer(session, ann, "x")
        sessions.remark(session, 0, "x", 1.0, make_teacher("mr-wang"))
        sessions.finish(session, session.revision)
        sessions.delete_session(session)
        assert db.session.scalars(select(ClassSession)).all() == []
        assert answer_rows() == [] and db.session.scalars(select(Player)).all() == []
        assert db.session.scalars(select(Remark)).all() == []


def test_right_and_wrong_values_still_grade_as_before(imported):
    """The session's tiles post the same values as the old radio buttons."""
    with imported.app_context():
        session = make_session(3)
        ann = make_player(session)
        sessions.start(session, 0)
        content = session.items[0].question_version.content
        assert play.submit(session, ann, 0, 1, right_values(content), None).status == "recorded"
        assert answer_rows()[0].fraction == 1.0
        assert wrong_values(content) != right_values(content)


def test_after_the_first_question_nobody_has_moved(imported):
    with imported.app_context():
        session = make_session(3, scoreboard=True)
        ann, bo = make_player(session, "Ann"), make_player(session, "Bo")
        sessions.start(session, 0)
        answer_right(session, ann)
        answer_wrong(session, bo)
        sessions.close_question(session, 1)
        sessions.next_question(session, 2)
        places = {
            s.player.nickname: (s.rank, s.previous_rank) for s in session_results(session).students
        }
        assert places == {"Ann": (1, 1), "Bo": (2, 2)}
