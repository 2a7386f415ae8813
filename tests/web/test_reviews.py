"""Spaced review through HTTP: the home page says what is due and starts it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from quizapp import charts
from quizapp.extensions import db
from quizapp.models import Attempt, ReviewCard
from tests.answers import right_values, wrong_values
from tests.web.study_client import Learner, hidden
from tests.web.test_classes import Pupil, make_site

ZH = {"Accept-Language": "zh-CN"}


def practise(learner: Learner, wrong: set[int], length=4) -> str:
    public_id = learner.start(length=str(length))
    for number in range(1, length + 1):
        content = learner.content(public_id, number)
        values = (wrong_values if number in wrong else right_values)(content)
        assert learner.answer(public_id, number, values, "3").status_code == 302
    return public_id


def a_day_passes(app, days=1):
    """Move every card's due time back, as if the answers were given ``days`` earlier."""
    with app.app_context():
        for card in db.session.scalars(select(ReviewCard)):
            card.due -= timedelta(days=days)
        db.session.commit()


def test_yesterdays_mistakes_are_due_today_and_reviewed_from_the_home_page(imported):
    learner = Learner(imported)
    practise(learner, wrong={1, 3})
    home = learner.text("/")
    assert "reviews due" not in home and "review due" not in home
    assert "Your next review: in 12 hours." in home  # due in a day, offered 12 h ahead
    a_day_passes(imported)
    home = learner.text("/")
    assert "2 reviews due" in home and "Start my review" in home
    sent = learner.post(
        "/study/review", {"csrf_token": hidden(home, "csrf_token"), "token": hidden(home, "token")}
    )
    assert sent.status_code == 302
    public_id = sent.headers["Location"].rsplit("/", 1)[1]
    # The same form again (a double click): the same review.
    again = learner.post(
        "/study/review", {"csrf_token": hidden(home, "csrf_token"), "token": hidden(home, "token")}
    )
    assert again.headers["Location"] == sent.headers["Location"]
    question = learner.text(f"/study/{public_id}/1")
    assert "Review" in question and "1 / 2" in question
    for number in (1, 2):
        content = learner.content(public_id, number)
        assert learner.answer(public_id, number, right_values(content), "2").status_code == 302
    results = learner.text(f"/study/{public_id}/results")
    assert "Review done." in results
    progress = learner.text("/study/progress")
    assert progress.count("<td>Review</td>") == 1 and progress.count("<td>Practice</td>") == 1
    home = learner.text("/")
    assert "reviews due" not in home and "Your next review:" in home


def test_the_home_page_in_chinese_counts_the_reviews(imported):
    learner = Learner(imported, ZH)
    practise(learner, wrong={2})
    a_day_passes(imported)
    home = learner.text("/")
    assert "1 道题待复习" in home and "开始复习" in home


def test_a_browser_without_a_learner_or_with_nothing_due_is_sent_home(imported):
    stranger = Learner(imported)
    home = stranger.text("/")
    assert "Start my review" not in home and "Your next review" not in home
    page = stranger.text("/study/start")
    form = {"csrf_token": hidden(page, "csrf_token"), "token": "x" * 22}
    assert stranger.post("/study/review", form).headers["Location"] == "/"
    learner = Learner(imported)
    practise(learner, wrong=set())
    page = learner.text("/study/start")
    sent = learner.post(
        "/study/review", {"csrf_token": hidden(page, "csrf_token"), "token": "y" * 22}
    )
    assert sent.headers["Location"] == "/"
    assert "Nothing is due for review now." in learner.text("/")
    with imported.app_context():
        assert db.session.scalar(select(Attempt).where(Attempt.request_token == "y" * 22)) is None


def test_starting_a_review_needs_the_forms_csrf_token(imported):
    learner = Learner(imported)
    practise(learner, wrong={1})
    a_day_passes(imported)
    refused = learner.post("/study/review", {"token": "z" * 22})
    assert refused.status_code == 400
    with imported.app_context():
        assert db.session.scalar(select(Attempt).where(Attempt.request_token == "z" * 22)) is None


def test_a_class_members_reviews_follow_them_to_another_browser(imported):
    """A member's browsers share the member's learner id (see classes/join.py)."""
    site = make_site(imported)
    laptop = Learner(imported)
    laptop.client = site.ann.client
    practise(laptop, wrong={1})
    a_day_passes(imported)
    phone = Pupil(imported)
    assert phone.reenter(site.token, site.ann_code).status_code == 302
    on_phone = Learner(imported)
    on_phone.client = phone.client
    assert "1 review due" in on_phone.text("/")
    assert "review due" not in Learner(imported).text("/")


def test_my_progress_says_what_to_do_next_and_each_banks_trend(imported):
    learner = Learner(imported)
    practise(learner, wrong={1, 2, 3})
    practise(learner, wrong={1})
    page = learner.text("/study/progress")
    assert "Your next review:" in page and "What to practise next" in page
    assert "By bank, weakest first" in page
    assert re.search(r"25% → 75%\s*<span class=\"meta\">\(\+50 percentage points\)</span>", page)
    # The trend as a picture too: 25 % then 75 %, drawn beside the figures.
    line = charts.sparkline([25, 75], 0, 100).line
    assert '<svg class="sparkline"' in page and f'points="{line}"' in page
    a_day_passes(imported)
    page = learner.text("/study/progress")
    assert "reviews due" in page and "Start my review" in page
