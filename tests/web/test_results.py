"""The results page: a grid of every question, filters, folded reviews."""

from __future__ import annotations

import re

from tests.answers import right_values, wrong_values
from tests.web.study_client import Learner

#: position → (right?, confidence) for a five-question attempt.
PLAN = {1: (True, "3"), 2: (False, "1"), 3: (False, "3"), 4: (True, "1"), 5: (False, "2")}


def finished(app) -> tuple[Learner, str]:
    learner = Learner(app)
    public_id = learner.start(length="5")
    for number, (right, confidence) in PLAN.items():
        content = learner.content(public_id, number)
        values = (right_values if right else wrong_values)(content)
        learner.answer(public_id, number, values, confidence)
    return learner, public_id


def cells(page: str) -> list[tuple[str, str, str]]:
    """(status class, number, link) of each cell of the grid."""
    return re.findall(
        r'<a class="cell ([a-z-]+)" href="([^"]+)">\s*<span class="cell-number">(\d+)</span>', page
    )


def listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="review-item [a-z-]+" value="(\d+)">', page)]


def expected_status(number: int) -> str:
    right, confidence = PLAN[number]
    if right:
        return "right"
    # wrong_values earns nothing; "fairly" and "very sure" cost marks.
    return "confidently-wrong" if confidence in ("2", "3") else "wrong"


def test_the_grid_marks_each_question_and_links_to_its_review(imported):
    learner, public_id = finished(imported)
    page = learner.text(f"/study/{public_id}/results")
    grid = cells(page)
    assert [int(number) for _status, _link, number in grid] == [1, 2, 3, 4, 5]
    for status, link, number in grid:
        assert status == expected_status(int(number))
        assert link == f"/study/{public_id}/results#q-{number}"
        assert f'id="q-{number}"' in page
    assert listed(page) == [1, 2, 3, 4, 5]
    folded = re.findall(r'<li class="review-item [a-z-]+" value="\d+">\s*<details>', page)
    assert len(folded) == 5 and "<details open" not in page
    assert "All questions (5)" in page and 'aria-current="page">All questions' in page


def test_the_filters_list_the_missed_and_the_confident_errors(imported):
    learner, public_id = finished(imported)
    page = learner.text(f"/study/{public_id}/results")
    statuses = {int(n): status for status, _link, n in cells(page)}
    missed = [n for n, s in statuses.items() if s != "right"]
    confident = [n for n, s in statuses.items() if s == "confidently-wrong"]
    assert confident and len(missed) > len(confident)
    page = learner.text(f"/study/{public_id}/results?show=missed")
    assert listed(page) == missed and "The questions you missed" in page
    assert f"Missed ({len(missed)})" in page
    # A question the filter hides opens under "All".
    for status, link, number in cells(page):
        hidden = status == "right"
        assert link.endswith(f"results#q-{number}" if hidden else f"?show=missed#q-{number}")
    page = learner.text(f"/study/{public_id}/results?show=confident")
    assert listed(page) == confident and "The questions you got wrong while sure" in page
    # Anything else is "all".
    assert listed(learner.text(f"/study/{public_id}/results?show=%3Cb%3E")) == [1, 2, 3, 4, 5]


def test_a_filter_with_nothing_in_it_says_so(imported):
    learner = Learner(imported)
    public_id = learner.start(length="2")
    for number in (1, 2):
        content = learner.content(public_id, number)
        learner.answer(public_id, number, right_values(content), "1")
    page = learner.text(f"/study/{public_id}/results?show=missed")
    assert listed(page) == [] and "None: nothing to go over here." in page
    assert "Missed (0)" in page
