"""Question banks 2.0 on the web: English beside the evidence, claims answered,
results by objective, and the editor keeping objectives, forms and glosses."""

from __future__ import annotations

import random
import re

from markupsafe import escape
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Passage, Source
from quizapp.services.attempts import start_attempt
from tests.answers import right_values, wrong_values
from tests.conftest import make_bank, make_question, shipped_bank_size
from tests.web.classroom_client import Teacher
from tests.web.editor_client import form_fields
from tests.web.study_client import EN, Learner
from tests.web.test_admin_editor import Desk, import_banks, question_id

ZH = {"Accept-Language": "zh-CN"}


def main_part(page: str) -> str:
    return page[page.index("<main") :]


def test_the_source_viewer_shows_the_projects_english_beside_each_paragraph(imported, client):
    english = client.get("/sources/huanqiu-2024-02", headers=EN).get_data(as_text=True)
    with imported.app_context():
        source = db.session.get(Source, "huanqiu-2024-02")
    pairs = english.count('<div class="paragraph-pair">')
    assert pairs == 26 and english.count('<p class="english" lang="en">') == 26
    assert "the project's English translation, not the outlet's" in english
    assert "Sora as OpenAI previewed it in February 2024" in english
    assert source.title["zh"] in english
    chinese = client.get("/sources/huanqiu-2024-02", headers=ZH).get_data(as_text=True)
    assert 'class="paragraph-pair"' not in chinese
    assert 'href="/sources/huanqiu-2024-02?english=1"' in chinese
    asked = client.get("/sources/huanqiu-2024-02?english=1", headers=ZH).get_data(as_text=True)
    assert asked.count('<div class="paragraph-pair">') == 26
    hidden = client.get("/sources/huanqiu-2024-02?english=0", headers=EN).get_data(as_text=True)
    assert 'class="paragraph-pair"' not in hidden
    # A highlighted passage keeps its highlight beside the English.
    with imported.app_context():
        passage = db.session.scalar(select(Passage).filter_by(source_id="huanqiu-2024-02"))
    page = client.get(f"/sources/huanqiu-2024-02?passage={passage.id}", headers=EN)
    assert f'id="passage-{passage.id}"' in page.get_data(as_text=True)


def test_feedback_shows_the_english_gloss_under_the_chinese_quote(imported):
    learner = Learner(imported)
    public_id = learner.start(length="3")
    for number in range(1, 4):
        content = learner.content(public_id, number)
        location = learner.answer(public_id, number, right_values(content)).headers["Location"]
        feedback = main_part(learner.text(location))
        for source in content["sources"]:
            assert f'<blockquote lang="zh-Hans">{source["exact"]}</blockquote>' in feedback
            assert str(escape(source["gloss"]["en"])) in feedback
        assert "In English (the project's translation):" in feedback
    # A Chinese reader reads the passage itself: the English is folded away, a click off.
    chinese = Learner(imported, {"Accept-Language": "zh"})
    public_id = chinese.start(length="1")
    content = chinese.content(public_id, 1)
    location = chinese.answer(public_id, 1, right_values(content)).headers["Location"]
    feedback = main_part(chinese.text(location))
    folded = re.findall(
        r'<details class="gloss"><summary[^>]*>[^<]+</summary><p lang="en">([^<]*)</p>', feedback
    )
    assert folded == [str(escape(source["gloss"]["en"])) for source in content["sources"]]
    assert '<p class="gloss">' not in feedback


def test_a_claim_is_shown_with_its_passage_judged_and_counted_as_a_judgement(imported):
    learner = Learner(imported)
    # The check's forms are not offered for practice (they are kept for a
    # class's check): the attempt over form A is made for this learner directly.
    public_id = attempt_over(imported, learner, "check-form-a")
    size = shipped_bank_size("check-form-a")
    expected = {True: [0, 0], False: [0, 0]}  # supported? -> [statements, judged right]
    for number in range(1, size + 1):
        content = learner.content(public_id, number)
        assert content["type"] == "claim"
        page = main_part(learner.text(f"/study/{public_id}/{number}"))
        assert "Supported by the passage" in page and "Not supported by the passage" in page
        for source in content["sources"]:  # the evidence, before answering
            assert f'<blockquote lang="zh-Hans">{source["exact"]}</blockquote>' in page
            assert str(escape(source["gloss"]["en"])) in page
        right = number % 3 != 0
        values = right_values(content) if right else wrong_values(content)
        location = learner.answer(public_id, number, values).headers["Location"]
        assert ("Right." if right else "Not right.") in learner.text(location)
        tally = expected[content["answer"] == "supported"]
        tally[0] += 1
        tally[1] += right
    results = main_part(learner.text(f"/study/{public_id}/results"))
    score = sum(judged for _statements, judged in expected.values())
    assert f"Score: {score} of {size} ({round(100 * score / size)}%)" in results
    assert "Judging statements" in results
    supported, unsupported = expected[True], expected[False]
    if supported[0]:
        statements = "statement" if supported[0] == 1 else "statements"
        assert (
            f"Of {supported[0]} {statements} the passage supports you accepted {supported[1]}."
            in results
        )
    if unsupported[0]:
        statements = "statement" if unsupported[0] == 1 else "statements"
        assert (
            f"Of {unsupported[0]} {statements} the passage does not support "
            f"you caught {unsupported[1]}." in results
        )


def test_results_and_progress_are_broken_down_by_objective(imported):
    learner = Learner(imported)
    public_id = learner.start(length="6")
    expected: dict[str, list[int]] = {}
    for number in range(1, 7):
        content = learner.content(public_id, number)
        right = number % 2 == 1
        learner.answer(public_id, number, right_values(content) if right else wrong_values(content))
        expected.setdefault(content["objective"], []).append(1 if right else 0)
    results = main_part(learner.text(f"/study/{public_id}/results"))
    assert "By learning objective" in results
    rows = dict(
        (name, (int(answered), int(percent)))
        for name, answered, percent in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)%</td></tr>', results
        )
    )
    with imported.app_context():
        from quizapp.services.catalog import objective_names

        names = objective_names("en")
    assert rows == {
        names[objective]: (len(marks), round(100 * sum(marks) / len(marks)))
        for objective, marks in expected.items()
    }
    progress = main_part(learner.text("/study/progress"))
    assert "By learning objective" in progress
    for name in rows:
        assert str(escape(name)) in progress or name in progress


def test_progress_shows_each_objective_attempt_by_attempt_weakest_first(imported):
    """Two quizzes, the first all wrong and the second all right: every
    objective reads "0% → 100%" with its change, weakest overall first."""
    learner = Learner(imported)
    for right in (False, True):
        public_id = learner.start()  # the whole starter bank, both times
        for number in range(1, shipped_bank_size("starter") + 1):
            content = learner.content(public_id, number)
            learner.answer(
                public_id, number, right_values(content) if right else wrong_values(content)
            )
    progress = main_part(learner.text("/study/progress"))
    table = progress[progress.index('id="objectives-heading"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td>(\d+)</td>\s*<td>(\d+)%</td>\s*<td>(.*?)</td>',
        table,
        re.S,
    )
    assert rows, table
    percents = [int(percent) for _name, _answered, percent, _trend in rows]
    assert percents == sorted(percents)  # weakest first
    for _name, answered, percent, trend in rows:
        assert int(answered) % 2 == 0 and int(percent) == 50  # as many wrong as right
        assert '<svg class="sparkline"' in trend
        assert "0% → 100%" in re.sub(r"<svg.*?</svg>", "", trend, flags=re.S)
        assert "(+100 percentage points)" in trend


def claim_bank() -> dict:
    question = make_question(
        id="c1",
        type="claim",
        difficulty=2,
        objective="ai-video-failures",
        answer="not_supported",
        prompt={
            "zh": "据环球时报（2024年2月）报道，被咬过的饼干上一定没有咬痕。",
            "en": "Global Times (February 2024): a bitten cookie surely shows no bite mark.",
        },
        wrong_feedback={"zh": "原文说“可能”。", "en": "The passage says “may”."},
        source={
            "doc": "huanqiu-2024-02",
            "exact": "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。",
            "gloss": {"en": "For example, a bitten cookie may show no bite mark."},
        },
    )
    del question["choices"]
    return make_bank(questions=[question])


def test_the_editor_keeps_objective_form_gloss_and_verdict(app, runner, write_bank):
    import_banks(runner, write_bank, claim_bank())
    desk = Desk(app, Teacher.quick(app, "ada", "admin"), question_id(app, "c1"))
    fields = desk.fields()
    assert (
        fields["objective"] == "ai-video-failures" and fields["answer_verdict"] == "not_supported"
    )
    assert fields["sources-0-gloss_en"] == "For example, a bitten cookie may show no bite mark."
    page = desk.admin.text(desk.edit_url)
    assert "How AI video goes wrong" in page  # the objective by its name
    desk.save(
        objective="verify-the-claim",
        form_name="B",
        answer_verdict="supported",
        **{"sources-0-gloss_en": "For example, a person bites a cookie."},
    )
    content = desk.versions()[-1][-1]
    assert content["objective"] == "verify-the-claim" and content["form"] == "B"
    assert content["answer"] == "supported"
    assert content["sources"][0]["gloss"] == {"en": "For example, a person bites a cookie."}
    refused = desk.post({**desk.fields(), "objective": "no-such-objective"})
    assert refused.status_code == 422
    assert "unknown objective &#39;no-such-objective&#39;" in refused.get_data(as_text=True)
    preview = desk.post({**desk.fields(), "preview_language": "en"}, action="preview")
    assert "For example, a person bites a cookie." in preview.get_data(as_text=True)
    assert len(desk.versions()) == 2


def test_the_start_page_offers_the_first_bank_first_and_not_the_check_forms(imported):
    learner = Learner(imported)
    page = main_part(learner.text("/study/start"))
    boxes = re.findall(
        r'<input type="checkbox" name="banks"[^>]*value="([a-z0-9-]+)"\s*([a-z]*)', page
    )
    assert [slug for slug, checked in boxes if checked == "checked"] == ["starter"]
    order = [slug for slug, _checked in boxes]
    assert order[0] == "starter"
    assert not {"check-form-a", "check-form-b"} & set(order)


def test_the_editor_warns_of_what_lint_finds_and_saves_anyway(app, runner, write_bank):
    import_banks(runner, write_bank, claim_bank())
    desk = Desk(app, Teacher.quick(app, "ada", "admin"), question_id(app, "c1"))
    clean = desk.post(desk.fields(), action="check").get_data(as_text=True)
    assert "Lint (" not in clean and "No problems found: the question can be saved." in clean
    assert "say what could be better" not in clean
    fields = {**desk.fields(), "objective": "", "sources-0-gloss_en": ""}
    checked = desk.post(fields, action="check").get_data(as_text=True)
    assert "Lint (objective): names no learning objective." in checked
    assert "Lint (gloss): passage 1 has no English gloss." in checked
    assert "No problems found: the question can be saved." in checked
    assert "2 warnings say what could be better." in checked
    saved = desk.post(fields)  # warnings never stop a save
    assert saved.status_code == 302
    assert "objective" not in desk.versions()[-1][-1]
    # A new question is warned of after it is saved, as of duplicates.
    new = "/admin/banks/test-bank/questions/new"
    fields.pop("base_version", None)
    token = form_fields(desk.admin.text(new), "editor")["csrf_token"]
    created = desk.admin.post(new, {**fields, "csrf_token": token, "key": "c2", "action": "save"})
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    page = desk.admin.text(created.headers["Location"])
    assert "Lint (gloss): passage 1 has no English gloss." in page


def attempt_over(app, learner: Learner, bank: str) -> str:
    """A practice attempt over the whole of ``bank`` for ``learner``'s browser
    (made through the service: the forms of the check are not offered)."""
    learner.start(banks=("starter",), length="1")  # the browser's learner cookie
    with app.app_context():
        key = db.session.scalar(select(Attempt.learner_key))
        return start_attempt(key, [bank], rng=random.Random(7)).public_id
