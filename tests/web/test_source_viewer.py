"""The source viewer beside a question: back to it, and no marks while answering."""

from __future__ import annotations

import re

from tests.answers import right_values
from tests.web.classroom_client import Student, Teacher
from tests.web.study_client import Learner
from tests.web.test_pages import passage_id

SOURCE = "21jingji-2024-02"


def marked(page: str) -> int:
    return len(re.findall(r'<mark class="cited', page))


def test_the_feedback_links_the_article_with_the_way_back(imported):
    learner = Learner(imported)
    public_id = learner.start(length="1")
    content = learner.content(public_id, 1)
    learner.answer(public_id, 1, right_values(content))
    feedback = learner.text(f"/study/{public_id}/1")
    link = re.search(r'<a href="(/sources/[^"]+)">Read it in the article</a>', feedback).group(1)
    assert f"back=/study/{public_id}/1#passage-" in link
    article = learner.text(link.replace("&amp;", "&"))
    assert f'<a class="button" href="/study/{public_id}/1">Back to the question</a>' in article


def test_the_way_back_stays_on_this_site(imported):
    learner = Learner(imported)
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        page = learner.text(f"/sources/{SOURCE}?back={elsewhere}")
        assert "Back to the question" not in page


def test_during_a_test_the_viewer_marks_no_citations_but_the_one_asked_for(imported):
    learner = Learner(imported)
    assert marked(learner.text(f"/sources/{SOURCE}")) >= 3
    learner.start(length="2", mode="test")
    page = learner.text(f"/sources/{SOURCE}")
    assert marked(page) == 0
    assert "While you are in a test or a live session" in page
    target = passage_id(imported, SOURCE, "跑步机")
    asked = learner.text(f"/sources/{SOURCE}?passage={target}")
    assert marked(asked) == asked.count('<mark class="cited target"') >= 1
    # Another browser, not in a test, sees the marks.
    assert marked(Learner(imported).text(f"/sources/{SOURCE}")) >= 3


def test_during_a_live_session_the_viewer_marks_no_citations(imported):
    teacher = Teacher.quick(imported)
    public_id = teacher.create(banks=("starter",))
    student = Student(imported)
    assert student.join(teacher.code(public_id), "Ann").status_code == 302
    assert marked(student.text(f"/sources/{SOURCE}")) == 0
    assert teacher.act(public_id, "finish").status_code == 302
    assert marked(student.text(f"/sources/{SOURCE}")) >= 3
