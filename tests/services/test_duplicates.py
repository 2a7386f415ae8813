"""Which questions a new or edited question may repeat (the editor's warnings)."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from quizapp.services.duplicates import find_duplicates
from quizapp.services.retirement import retire_question
from tests.services.editing import admin, make_spec

# Inside the sentence q1 cites ("例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。").
INSIDE_Q1S_PASSAGE = "但之后饼干可能没有咬痕"
OTHER_PASSAGE = "学术界、商界、行政部门以及AI教授都很担心"
OTHER_PROMPT = {"zh": "谁很担心?", "en": "Who is worried?"}


def q1() -> Question:
    return db.session.scalar(select(Question).filter_by(key="q1"))


def cite(catalog, exact: str, **overrides):
    return make_spec(
        catalog, id="new", source={"doc": "huanqiu-2024-02", "exact": exact}, **overrides
    )


def test_a_passage_overlapping_one_cited_by_another_question_names_it(editor_app, catalog):
    with editor_app.app_context():
        found = find_duplicates(cite(catalog, INSIDE_Q1S_PASSAGE, prompt=OTHER_PROMPT))
        assert {position: [q.key for q in qs] for position, qs in found.passages.items()} == {
            0: ["q1"]
        }
        assert found.prompts == []


def test_a_near_identical_prompt_is_found_in_either_language(editor_app, catalog):
    with editor_app.app_context():
        prompt = {"zh": "完全是另一个问题吗?", "en": "What happened to the cookie ?"}
        found = find_duplicates(cite(catalog, OTHER_PASSAGE, prompt=prompt))
        assert found.passages == {}
        assert [(p.question.key, p.languages) for p in found.prompts] == [("q1", ["en"])]


def test_a_question_is_no_duplicate_of_itself(editor_app, catalog):
    with editor_app.app_context():
        assert not find_duplicates(make_spec(catalog), exclude=q1().id)
        assert find_duplicates(make_spec(catalog))  # the same content, as a new question


def test_a_retired_question_is_not_reported(editor_app, catalog):
    with editor_app.app_context():
        question = q1()
        retire_question(question, admin(), question.current_version_id)
        db.session.commit()
        assert not find_duplicates(make_spec(catalog, id="new"))
