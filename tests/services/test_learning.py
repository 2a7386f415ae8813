"""Evidence of learning read from the database: what each report counts.

The statistics themselves are tested in tests/domain/test_analysis_*.py;
here the figures are recomputed from the raw answers with numpy (an
independent reference) to prove that the right answers reach them: first
attempts only, versions never mixed, unanswered questions of a session as
0, a class's members only, finished checks paired.
"""

from __future__ import annotations

import random

import numpy
import pytest
from sqlalchemy import select

from quizapp.domain.live import SessionOptions
from quizapp.domain.nicknames import DenyList
from quizapp.extensions import db
from quizapp.models import Bank, Question
from quizapp.services import classes, learning
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.attempts import (
    published_versions,
    save_draft,
    start_attempt,
    submit_answer,
    submit_test,
)
from quizapp.services.versions import save_question
from tests.answers import right_values, wrong_values
from tests.services.editing import admin, make_spec
from tests.services.test_classroom import make_teacher

DENY = DenyList.of([])


def student_paced(count: int, teacher=None, school_class=None):
    teacher = teacher or make_teacher()
    versions = published_versions(["starter"])[:count]
    session = sessions.create_session(
        teacher,
        "Lesson",
        versions,
        SessionOptions(pacing="student"),
        school_class=school_class,
    )
    return session


def answer(session, player, position: int, right: bool, confidence=None):
    content = play.item_at(session, position).question_version.content
    values = right_values(content) if right else wrong_values(content)
    result = play.submit(session, player, position, 1, values, confidence)
    assert result.status == "recorded", result


#: Who gets which of four questions right (None: not answered).
PATTERN = {
    "Ann": [True, True, True, True],
    "Bo": [True, True, True, False],
    "Cy": [True, True, False, False],
    "Di": [True, False, False, None],
    "Ed": [False, True, False, False],
    "Fa": [True, False, True, False],
}


def test_a_sessions_item_statistics_match_a_reference_computed_from_its_answers(imported):
    with imported.app_context():
        session = student_paced(4)
        players = {name: play.join(session, name, DENY) for name in PATTERN}
        sessions.start(session, session.revision)
        for name, marks in PATTERN.items():
            for position, right in enumerate(marks):
                if right is not None:
                    answer(session, players[name], position, right)
        sessions.finish(session, session.revision)

        report = learning.item_report(learning.session_evidence(session))

        # Unanswered counts 0: Di's last question is a 0, not missing.
        marks = numpy.array([[1.0 if m else 0.0 for m in marks] for marks in PATTERN.values()])
        assert [row.statistics.answers for row in report.rows] == [6, 6, 6, 6]
        facility = [row.statistics.facility for row in report.rows]
        assert facility == pytest.approx(marks.mean(axis=0).tolist())
        for index, row in enumerate(report.rows):
            rest = numpy.delete(marks, index, axis=1).mean(axis=1)
            expected = 100 * numpy.corrcoef(marks[:, index], rest)[0, 1]
            assert row.statistics.discrimination_index == pytest.approx(expected)
        totals = 100 * marks.mean(axis=1)
        assert report.test.takers == 6
        assert report.test.mean == pytest.approx(totals.mean())
        assert report.test.sd == pytest.approx(totals.std(ddof=1))
        # The session's order, first question first.
        positions = [item.question_version_id for item in session.items]
        assert [row.item.version_id for row in report.rows] == positions


def test_a_late_joiner_counts_for_the_questions_they_could_answer_not_for_the_test(imported):
    with imported.app_context():
        teacher = make_teacher()
        versions = published_versions(["starter"])[:2]
        session = sessions.create_session(
            teacher, "Lesson", versions, SessionOptions(late_join=True)
        )
        early = play.join(session, "Early", DENY)
        sessions.start(session, session.revision)
        answer(session, early, 0, True)
        sessions.close_question(session, session.revision)
        late = play.join(session, "Late", DENY)
        sessions.next_question(session, session.revision)
        answer(session, early, 1, False)
        answer(session, late, 1, True)
        sessions.finish(session, session.revision)

        report = learning.item_report(learning.session_evidence(session))
        assert [row.statistics.answers for row in report.rows] == [1, 2]
        assert report.test.takers == 1


def finish_attempt(attempt, right: list[bool], confidence: int | None = 2):
    for position, item in enumerate(attempt.items):
        content = item.question_version.content
        values = right_values(content) if right[position % len(right)] else wrong_values(content)
        submit_answer(attempt, position, values, confidence)


def test_answers_to_two_versions_of_a_question_are_two_items(editor_app, catalog):
    with editor_app.app_context():
        first = start_attempt("learner-1", ["test-bank"], rng=random.Random(1))
        finish_attempt(first, [True])
        question = db.session.scalar(select(Question).where(Question.key == "q1"))
        edit = make_spec(
            catalog, explanation={"zh": "改过的解释。", "en": "An edited explanation."}
        )
        save_question(question, edit, catalog, admin(), question.current_version_id)
        db.session.commit()
        second = start_attempt("learner-2", ["test-bank"], rng=random.Random(2))
        finish_attempt(second, [False])

        bank = db.session.scalar(select(Bank).where(Bank.slug == "test-bank"))
        report = learning.item_report(learning.bank_evidence(bank))
        assert {row.item.number: row.statistics.facility for row in report.rows} == {1: 1.0, 2: 0.0}
        assert {row.statistics.answers for row in report.rows} == {1}


def test_only_each_learners_first_attempt_counts_unless_every_answer_is_asked_for(imported):
    with imported.app_context():
        first = start_attempt("learner-1", ["starter"], rng=random.Random(1))
        finish_attempt(first, [False])
        again = start_attempt("learner-1", ["starter"], rng=random.Random(2))
        finish_attempt(again, [True])
        bank = db.session.scalar(select(Bank).where(Bank.slug == "starter"))
        evidence = learning.bank_evidence(bank)

        firsts = learning.item_report(evidence)
        assert {row.statistics.facility for row in firsts.rows} == {0.0}
        assert {row.statistics.answers for row in firsts.rows} == {1}
        every = learning.item_report(evidence, first_only=False)
        assert {row.statistics.facility for row in every.rows} == {0.5}


def test_a_learner_who_rejects_every_claim_is_shown_as_leaning_not_as_discerning(imported):
    with imported.app_context():
        attempt = start_attempt("sceptic", ["check-form-a"], mode="test", rng=random.Random(3))
        for position in range(len(attempt.items)):
            save_draft(attempt, position, ["not_supported"], 3, flagged=False)
        assert submit_test(attempt)
        report = learning.attempt_learning(attempt)
        d = report.discernment
        assert d.hit_rate == 0.0 and d.false_alarm_rate == 0.0
        assert d.d_prime == pytest.approx(0.0)
        assert d.lean == "not_supported"
        # Half the claims right at "very sure": over-confident.
        assert report.calibration.reading == "over"


def member_with_check(school_class, name: str, right_before: int, right_after: int):
    member, _code = classes.join(school_class, name, DENY)
    phases = classes.check_phases(school_class)
    for phase, right in (("before", right_before), ("after", right_after)):
        attempt = classes.start_assignment(member, phases[phase])
        for position, item in enumerate(attempt.items):
            content = item.question_version.content
            values = right_values(content) if position < right else wrong_values(content)
            save_draft(attempt, position, values, 2, flagged=False)  # a check is a test
        assert submit_test(attempt)
    return member


def test_the_before_after_check_pairs_each_members_finished_checks(imported):
    with imported.app_context():
        teacher = make_teacher()
        school_class = classes.create_class(teacher, "7B")
        classes.create_check(school_class, "before", counterbalanced=True)
        classes.create_check(school_class, "after")
        scores = [(3, 9), (6, 12), (9, 9), (12, 15), (0, 6), (6, 3)]
        for index, (before, after) in enumerate(scores):
            member_with_check(school_class, f"S{index}", before, after)
        # A member who left the check-out half done is not paired.
        late, _code = classes.join(school_class, "Half", DENY)
        phases = classes.check_phases(school_class)
        classes.start_assignment(late, phases["before"])

        check = learning.before_after(school_class)
        forms = [(row.before.form, row.after.form) for row in check.rows if row.after]
        assert all(before != after for before, after in forms)
        assert sorted(forms).count(("A", "B")) == 3
        items = len(published_versions(["check-form-a"]))  # both forms have the same length
        changes = numpy.array([100 * (a - b) / items for b, a in scores])
        assert check.score.pairs == 6
        assert check.score.mean_change == pytest.approx(changes.mean())
        assert check.score.sd_change == pytest.approx(changes.std(ddof=1))
        assert check.score.improved == 4 and check.score.worse == 1 and check.score.same == 1


def test_a_class_report_holds_its_members_answers_only(imported):
    with imported.app_context():
        teacher = make_teacher()
        school_class = classes.create_class(teacher, "7B")
        other_class = classes.create_class(teacher, "8C")
        member, _code = classes.join(school_class, "Ann", DENY)
        stranger, _code = classes.join(other_class, "Bo", DENY)
        session = student_paced(2, teacher, school_class)
        mine = play.join(session, "", DENY, member=member)
        theirs = play.join(session, "Bo", DENY)  # not a member of this class
        sessions.start(session, session.revision)
        for player in (mine, theirs):
            answer(session, player, 0, True)
        evidence = learning.class_evidence(school_class)
        assert {r.learner for r in evidence.responses} == {f"m{member.id}"}
        assert evidence.names == {f"m{member.id}": "Ann"}
        assert stranger.id != member.id
