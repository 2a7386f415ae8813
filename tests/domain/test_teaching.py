"""Question banks 2.0 in the domain: objectives, claims, glosses, parallel forms,
the sources' translations and ``lint``."""

from __future__ import annotations

import shutil

import pytest
import yaml

from quizapp.domain.banks import check_question, read_bank
from quizapp.domain.export import dump_bank, question_document
from quizapp.domain.lint import lint_bank
from quizapp.domain.question_types import REGISTRY, ResponseError
from quizapp.domain.tags import load_vocabulary, read_objectives
from quizapp.domain.translations import load_translations, read_translation
from quizapp.domain.yamlfile import load_yaml
from tests.conftest import QUESTIONS, SEEDS, dump, make_bank, make_question

COOKIE = "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。"
GLOSS = {"en": "For example, a person bites a cookie, but afterwards it may show no bite mark."}


@pytest.fixture(scope="module")
def vocabulary():
    loaded, problems = load_vocabulary(QUESTIONS)
    assert problems == []
    return loaded


def claim(**overrides) -> dict:
    question = make_question(
        id="c1",
        type="claim",
        difficulty=2,
        objective="ai-video-failures",
        prompt={
            "zh": "据环球时报（2024年2月）报道，OpenAI 说被咬过的饼干上一定没有咬痕。",
            "en": "Global Times (February 2024): OpenAI says a bitten cookie will surely show no mark.",
        },
        answer="not_supported",
        wrong_feedback={"zh": "原文说“可能”。", "en": "The passage says “may”."},
        source={"doc": "huanqiu-2024-02", "exact": COOKIE, "gloss": dict(GLOSS)},
    )
    del question["choices"]
    question.update(overrides)
    return question


def problems_of(question: dict, catalog, vocabulary) -> list[str]:
    return [str(p) for p in check_question(question, catalog, vocabulary)[1]]


def test_the_shipped_objectives_are_declared_in_both_languages(vocabulary):
    assert len(vocabulary.objectives) >= 6
    for objective in vocabulary.objectives.values():
        assert objective.label["zh"] and objective.label["en"] and objective.description["en"]


def test_a_question_names_a_declared_objective_or_gets_the_closest(catalog, vocabulary):
    assert problems_of(claim(), catalog, vocabulary) == []
    found = problems_of(claim(objective="ai-video-failure"), catalog, vocabulary)
    assert found == [
        "question:1:1: objective: unknown objective 'ai-video-failure' "
        "(closest known: 'ai-video-failures')"
    ]


def test_objective_files_report_mistakes_at_their_line():
    text = (
        "objectives:\n"
        "- id: one\n  label: {zh: 一, en: One}\n  description: {zh: 一, en: One}\n"
        "- id: one\n  label: {zh: 一, en: One}\n  description: {zh: 一, en: One}\n"
        "- id: two\n  label: {zh: 二}\n  description: {zh: 二, en: Two}\n"
    )
    objectives, problems = read_objectives(text.encode(), "_objectives.yaml")
    assert list(objectives) == ["one"]
    assert [str(p) for p in problems] == [
        "_objectives.yaml:5:3: objectives[1].id: duplicate objective 'one' (first at line 2)",
        "_objectives.yaml:9:3: objectives[2].label: missing field 'en'",
    ]


def test_a_claim_is_judged_supported_or_not_and_refuses_anything_else(catalog, vocabulary):
    kind = REGISTRY["claim"]
    assert kind.grade("not_supported", kind.read_response(["not_supported"], {})) == 1.0
    assert kind.grade("not_supported", kind.read_response(["supported"], {})) == 0.0
    with pytest.raises(ResponseError):
        kind.read_response(["true"], {})
    found = problems_of(claim(answer=True), catalog, vocabulary)
    assert found == ["question:1:1: answer: expected supported or not_supported"]


def test_a_gloss_and_a_form_are_checked_and_kept(catalog, vocabulary):
    spec, problems = check_question(claim(form="A"), catalog, vocabulary)
    assert problems == []
    assert spec.content["form"] == "A" and spec.content["sources"][0]["gloss"] == GLOSS
    assert spec.citations[0].gloss == GLOSS
    bad = claim(form="C", source={"doc": "huanqiu-2024-02", "exact": COOKIE, "gloss": "x"})
    assert problems_of(bad, catalog, vocabulary) == [
        "question:1:1: form: 'C' is not one of: A, B",
        "question:1:1: source.gloss: expected a mapping with en",
    ]


def test_export_writes_objective_form_and_gloss_and_reads_them_back(catalog):
    spec, problems = check_question(claim(form="B"), catalog)
    assert problems == []
    document = question_document("c1", spec.content)
    assert list(document)[:6] == ["id", "type", "difficulty", "objective", "form", "tags"]
    text = dump_bank(make_bank("t", [document]))
    bank, problems = read_bank(text.encode(), "t.yaml", catalog)
    assert problems == [] and bank.questions[0].content == spec.content


def test_export_never_drops_a_field_it_does_not_know():
    document = question_document("q", {"type": "single", "future_field": 1, "sources": [{}]})
    assert document["future_field"] == 1


# --- Translations -----------------------------------------------------------


def test_every_source_has_an_english_translation_of_every_paragraph(catalog):
    translations, problems = load_translations(SEEDS, catalog, 1024 * 1024)
    assert problems == []
    assert {source for source, _language in translations} == set(catalog.docs)


def test_a_translation_missing_or_misaligned_is_refused_at_its_line(catalog, tmp_path):
    doc = catalog.get("huanqiu-2024-02")
    path = SEEDS / "translations" / "huanqiu-2024-02.en.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    dropped = dict(data, paragraphs=data["paragraphs"][:3] + data["paragraphs"][4:])
    raw = yaml.safe_dump(dropped, allow_unicode=True, sort_keys=False).encode()
    translation, problems = read_translation(raw, "t.yaml", doc, "en", 1024 * 1024)
    assert translation is None
    messages = [str(p) for p in problems]
    assert any("paragraphs: 25 paragraphs translated; the article has 26" in m for m in messages)
    assert any(
        m.startswith("t.yaml:") and "paragraphs[3].zh: paragraph 4 of the article starts" in m
        for m in messages
    )
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "translations" / "nandu-2024-02-20.en.yaml").unlink()
    _found, problems = load_translations(seeds, catalog, 1024 * 1024)
    assert [p.message for p in problems] == ["no en translation of source 'nandu-2024-02-20'"]


# --- Lint -----------------------------------------------------------------


def lint(questions: list[dict], catalog) -> list[str]:
    text = dump(make_bank("lintme", questions))
    bank, problems = read_bank(text.encode(), "lintme.yaml", catalog)
    assert problems == []
    located, _ = load_yaml(text.encode(), "lintme.yaml", 1024 * 1024)
    return [str(finding) for finding in lint_bank(bank, located, catalog)]


def test_the_shipped_banks_lint_clean(shipped, catalog):
    for bank in shipped.banks:
        with open(bank.file, "rb") as file:
            located, _ = load_yaml(file.read(), bank.file, 1024 * 1024)
        assert [str(f) for f in lint_bank(bank, located, catalog)] == [], bank.slug


def test_a_well_made_question_lints_clean(catalog):
    assert lint([claim()], catalog) == []


def test_lint_finds_each_giveaway_with_its_line_and_a_fix(catalog):
    giveaway = make_question(
        id="g",
        objective="ai-video-failures",
        prompt={"zh": "OpenAI 承认视频里可能没有咬痕吗？", "en": "Does OpenAI admit it?"},
        choices=[
            {"id": "a", "text": {"zh": "可能没有咬痕", "en": "Maybe no mark"}},
            {
                "id": "b",
                "text": {"zh": "所有饼干都变成蛋糕", "en": "Every cookie becomes cake"},
                "feedback": {"zh": "不对。", "en": "No."},
            },
        ],
        source={"doc": "huanqiu-2024-02", "exact": COOKIE},
        tags=["sora-limits"],
        difficulty=3,
    )
    found = lint([giveaway], catalog)
    rules = {line.split("[")[1].split("]")[0] for line in found}
    assert rules == {"gloss", "difficulty", "undated", "absolute-word", "giveaway"}
    assert "lintme.yaml:" in found[0] and "(fix: " in found[0]
    bare = claim(objective=None, source={"doc": "huanqiu-2024-02", "exact": COOKIE})
    del bare["objective"]
    assert {f.split("[")[1].split("]")[0] for f in lint([bare], catalog)} == {"objective", "gloss"}


def test_lint_finds_lopsided_banks(catalog):
    statements = []
    for index in range(4):
        question = claim(id=f"c{index}", answer="supported")
        statements.append(question)
    found = lint(statements, catalog)
    assert found == [
        "lintme.yaml:1: [balance] bank lintme: 100% of the claims are supported "
        "(fix: keep it between 35% and 65% so that judging everything one way does not score)"
    ]
    typed = make_question(
        id="t",
        type="short_text",
        objective="ai-video-failures",
        answer=["deepfake", "deep-fake", "深度伪造"],
        wrong_feedback={"zh": "不对。", "en": "No."},
        source={"doc": "huanqiu-2024-02", "exact": COOKIE, "gloss": dict(GLOSS)},
    )
    del typed["choices"]
    assert any("[redundant-answer]" in f and "deepfake" in f for f in lint([typed], catalog))
    typed["answer"] = ["deepfake", "“”"]
    assert any("only punctuation" in f for f in lint([typed], catalog))


def test_a_questions_own_live_time_is_checked_kept_and_exported(catalog, vocabulary):
    spec, problems = check_question(claim(time_limit=45), catalog, vocabulary)
    assert problems == [] and spec.content["time_limit"] == 45
    document = question_document("c1", spec.content)
    assert list(document)[:6] == ["id", "type", "difficulty", "objective", "time_limit", "tags"]
    text = dump_bank(make_bank("t", [document]))
    bank, problems = read_bank(text.encode(), "t.yaml", catalog)
    assert problems == [] and bank.questions[0].content["time_limit"] == 45
    for wrong in (3, 601, True, "30"):
        assert problems_of(claim(time_limit=wrong), catalog, vocabulary) == [
            "question:1:1: time_limit: expected a whole number from 5 to 600"
        ]
