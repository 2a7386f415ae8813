"""A test through HTTP, worked on like an exam paper: move between questions,
change and clear answers, flag, check before submitting, a time limit."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptItem
from quizapp.models.content import utcnow
from quizapp.services.attempts import DEADLINE_GRACE
from tests.answers import right_values, secrets_of, wrong_values
from tests.web.study_client import Learner, hidden
from tests.web.test_study import answers_stored, assert_reveals_nothing, main_part


def items_of(app, public_id: str) -> list[AttemptItem]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AttemptItem)
                .join(Attempt)
                .where(Attempt.public_id == public_id)
                .order_by(AttemptItem.position)
            )
        )


def start_timed(learner, minutes: str, length: str = "2") -> str:
    """Start a test with a time limit through the form; return its public id."""
    form = dict(learner.start_form(length=length, mode="test"), time_limit=minutes)
    return learner.post("/study/start", form).headers["Location"].rsplit("/", 1)[1]


def deadline_passed(app, public_id: str, ago: timedelta) -> None:
    """Move the test's deadline to ``ago`` before now."""
    with app.app_context():
        db.session.execute(
            update(Attempt).where(Attempt.public_id == public_id).values(deadline=utcnow() - ago)
        )
        db.session.commit()


def checked_values(page: str) -> set[str]:
    return set(re.findall(r'name="answer" id="answer-\d+" value="([^"]*)"\s*checked', page))


def test_a_test_is_worked_on_in_any_order_and_marked_only_when_submitted(imported):
    learner = Learner(imported)
    public_id = learner.start(length="3", mode="test")
    contents = [learner.content(public_id, number) for number in (1, 2, 3)]
    base = f"/study/{public_id}"

    # Jump straight to question 3 from question 1 (question 1 left blank).
    jump = learner.answer(public_id, 1, [], confidence=None, go="3")
    assert jump.headers["Location"] == f"{base}/3"
    assert learner.answer(public_id, 3, wrong_values(contents[2]), go="prev").headers[
        "Location"
    ] == (f"{base}/2")
    assert learner.answer(public_id, 2, wrong_values(contents[1]), flag=True).headers[
        "Location"
    ] == (f"{base}/3")
    # Question 2 shows what was saved, flagged; nothing says whether it is right.
    again = learner.text(f"{base}/2")
    assert_reveals_nothing(again, contents[1], has_form=False)
    if contents[1]["type"] in ("single", "multiple", "true_false", "claim"):
        shown = learner.form_values(public_id, 2, wrong_values(contents[1]))
        assert checked_values(again) == set(shown)
    else:
        assert f'value="{wrong_values(contents[1])[0]}"' in again
    assert 'id="flag" checked' in again
    assert "Question 2: answered, flagged" in re.sub(r"\s+", " ", again)
    # Changed my mind: question 2 right after all, flag off.
    learner.answer(public_id, 2, right_values(contents[1]), go="review")
    items = items_of(imported, public_id)
    assert [item.draft is not None for item in items] == [False, True, True]
    assert [item.flagged for item in items] == [False, False, False]
    assert answers_stored(imported) == []  # nothing marked yet

    # The results wait for the submission; the check page lists what is missing.
    assert learner.get(f"{base}/results").headers["Location"] == f"{base}/1"
    check = learner.text(f"{base}/check")
    assert "1 question is not answered." in check
    for content in contents:
        for secret in secrets_of(content):
            assert secret not in re.sub(r'<input[^>]*type="hidden"[^>]*>', "", main_part(check))

    submitted = learner.submit_test(public_id)
    assert submitted.headers["Location"] == f"{base}/results"
    results = learner.text(f"{base}/results")
    assert "Your test is submitted." in results
    assert [a.fraction for a in answers_stored(imported)] == [0.0, 1.0, 0.0]
    assert "Not answered." in learner.text(f"{base}/1")
    # The grid says "not answered", and "Missed" lists it.
    assert re.search(r'class="cell unanswered"[^>]*>\s*<span class="cell-number">1<', results)
    assert "Missed (2)" in results


def test_clear_removes_the_saved_answer_and_stays_on_the_question(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2", mode="test")
    content = learner.content(public_id, 1)
    learner.answer(public_id, 1, right_values(content), flag=True)
    cleared = learner.answer(public_id, 1, right_values(content), go="clear", flag=True)
    assert cleared.headers["Location"] == f"/study/{public_id}/1"
    item = items_of(imported, public_id)[0]
    assert item.draft is None and item.draft_confidence is None and item.flagged


def test_a_bad_answer_in_a_test_is_shown_again_with_its_message_and_saves_nothing(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1", mode="test")
    content = learner.content(public_id, 1)
    response = learner.answer(public_id, 1, right_values(content), confidence="7", go="next")
    assert response.status_code == 422
    assert "Say how sure you are" in response.get_data(as_text=True)
    assert items_of(imported, public_id)[0].draft is None
    # Without a confidence the answer is kept, and the check page says so.
    learner.answer(public_id, 1, right_values(content), confidence=None, go="review")
    assert items_of(imported, public_id)[0].draft is not None
    check = learner.text(f"/study/{public_id}/check")
    assert "1 answer does not say how sure you are" in check


def test_when_the_time_is_up_an_answer_the_server_refuses_still_submits_the_test(imported):
    """The page's own save at time-up may carry a refused answer (a number that
    is not one): the test is submitted as saved, not shown again for ever."""
    learner = Learner(imported)
    public_id = start_timed(learner, "5")
    page = learner.form_for(public_id, 1)
    deadline_passed(imported, public_id, timedelta(seconds=1))
    late = learner.answer(public_id, 1, ["no-such-choice"], confidence="9", form=page, go="review")
    assert late.headers["Location"] == f"/study/{public_id}/results"
    results = learner.text(late.headers["Location"])
    assert results.count("Time is up: your test was submitted") == 1
    assert "its answers can no longer change" not in results


def test_a_submitted_test_keeps_its_answers_and_a_second_submit_changes_nothing(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1", mode="test")
    content = learner.content(public_id, 1)
    form = learner.form_for(public_id, 1)  # a second tab, still open on the question
    learner.answer(public_id, 1, wrong_values(content))
    page = learner.text(f"/study/{public_id}/check")
    token = hidden(page, "csrf_token")
    first = learner.post(f"/study/{public_id}/submit", {"csrf_token": token})
    second = learner.post(f"/study/{public_id}/submit", {"csrf_token": token})  # double click
    assert (
        first.headers["Location"] == second.headers["Location"] == (f"/study/{public_id}/results")
    )
    late = learner.answer(public_id, 1, right_values(content), form=form)
    assert late.headers["Location"] == f"/study/{public_id}/results"
    assert "its answers can no longer change" in learner.text(late.headers["Location"])
    assert [a.fraction for a in answers_stored(imported)] == [0.0]
    # The check page of a submitted test goes to the results.
    assert learner.get(f"/study/{public_id}/check").headers["Location"].endswith("/results")


def test_a_time_limit_is_for_tests_and_within_its_range(imported):
    learner = Learner(imported)
    for mode, minutes, message in (
        ("practice", "10", "A time limit is for tests"),
        ("test", "0", "Choose from 1 to 300 minutes"),
        ("test", "301", "Choose from 1 to 300 minutes"),
        ("test", "ten", "Not a valid integer"),
    ):
        form = dict(learner.start_form(length="2", mode=mode), time_limit=minutes)
        refused = learner.post("/study/start", form)
        assert refused.status_code == 422, (mode, minutes)
        assert message in refused.get_data(as_text=True), (mode, minutes)
    with imported.app_context():
        assert db.session.scalar(select(Attempt.id)) is None


def test_the_timer_shows_the_time_left_and_a_late_answer_is_refused_but_nothing_is_lost(
    imported,
):
    learner = Learner(imported)
    public_id = start_timed(learner, "15")
    page = learner.text(f"/study/{public_id}/1")
    left = int(re.search(r'data-deadline-in="(\d+)"', page).group(1))
    assert 15 * 60 - 5 <= left <= 15 * 60
    assert re.search(r"Time left:</span>\s*<span[^>]*>1[45]:\d\d<", page)

    content = learner.content(public_id, 1)
    learner.answer(public_id, 1, right_values(content))
    question_2 = learner.form_for(public_id, 2)
    # The time runs out, and the grace after it.
    deadline_passed(imported, public_id, DEADLINE_GRACE + timedelta(seconds=1))
    second = learner.content(public_id, 2)
    late = learner.answer(public_id, 2, right_values(second), form=question_2)
    assert late.headers["Location"] == f"/study/{public_id}/results"
    assert "Time is up: your test was submitted" in learner.text(late.headers["Location"])
    # Question 1's saved answer is marked; the late one to question 2 is not taken.
    assert [a.fraction for a in answers_stored(imported)] == [1.0, 0.0]


def test_an_answer_saved_in_the_grace_after_the_deadline_counts(imported):
    learner = Learner(imported)
    public_id = start_timed(learner, "5")
    question_1 = learner.form_for(public_id, 1)
    deadline_passed(imported, public_id, timedelta(seconds=2))
    content = learner.content(public_id, 1)
    saved = learner.answer(public_id, 1, right_values(content), form=question_1)
    assert saved.headers["Location"] == f"/study/{public_id}/results"
    assert [a.fraction for a in answers_stored(imported)] == [1.0, 0.0]


def test_anothers_test_pages_are_not_found(imported):
    owner, stranger = Learner(imported), Learner(imported)
    public_id = owner.start(length="1", mode="test")
    stranger.start(length="1")  # a learner cookie of its own
    assert stranger.get(f"/study/{public_id}/check").status_code == 404
    page = stranger.text("/study/start")
    token = hidden(page, "csrf_token")
    assert stranger.post(f"/study/{public_id}/submit", {"csrf_token": token}).status_code == 404
    with imported.app_context():
        owned = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        assert owned.finished_at is None


def test_submitting_without_the_form_token_is_refused(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1", mode="test")
    refused = learner.post(f"/study/{public_id}/submit", {})
    assert refused.status_code == 400
    with imported.app_context():
        assert db.session.scalar(select(Attempt.finished_at)) is None
