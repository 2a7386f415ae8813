"""Coverage of the sources by the banks, and the content bar."""

from quizapp.domain.banks import read_bank
from quizapp.domain.coverage import Thresholds, measure, report
from tests.conftest import dump, make_bank, make_question

COOKIE = {"doc": "huanqiu-2024-02", "exact": "例如,一个人咬了一口饼干,但之后饼干可能没有咬痕。"}
TREADMILL = {"doc": "21jingji-2024-02", "exact": "例如,左右混淆,人类在朝着跑步机的尾部跑步。"}


def true_false(key: str, answer: bool, source=COOKIE, **extra) -> dict:
    question = make_question(id=key, type="true_false", answer=answer, source=dict(source), **extra)
    del question["choices"]
    return question


def bank_of(catalog, slug: str, questions: list[dict]):
    bank, problems = read_bank(dump(make_bank(slug, questions)).encode(), f"{slug}.yaml", catalog)
    assert problems == []
    return bank


def test_coverage_counts_questions_passages_types_and_balance(catalog):
    first = bank_of(
        catalog,
        "one",
        [
            make_question(id="a"),
            true_false("b", True, TREADMILL, difficulty=3),
            true_false("c", False, tags=["physics"]),
            make_question(id="d", status="draft"),
        ],
    )
    twice = make_question(id="a", sources=[dict(COOKIE), dict(TREADMILL)])
    del twice["source"]
    second = bank_of(catalog, "two", [twice])
    coverage = measure([first, second], catalog)
    sources = {s.source_id: s for s in coverage.sources}
    assert (sources["huanqiu-2024-02"].questions, sources["huanqiu-2024-02"].passages) == (3, 1)
    assert sources["21jingji-2024-02"].questions == 2
    assert sources["qingnianbao-2024"].questions == 0
    assert sources["huanqiu-2024-02"].paragraphs_cited == 1
    assert 0 < sources["huanqiu-2024-02"].paragraph_share < 0.2
    one = coverage.banks[0]
    assert (one.questions, one.unpublished) == (3, 1)
    assert one.types == {"single": 1, "true_false": 2}
    assert one.difficulties == {1: 2, 3: 1}
    assert one.tags["sora-limits"] == 2 and one.tags["physics"] == 1
    assert (one.true_statements, one.false_statements) == (1, 1)
    assert coverage.questions == 4 and coverage.passages == 2


def test_shortfalls_name_each_threshold_not_met(catalog):
    bank = bank_of(catalog, "small", [true_false(f"t{i}", True) for i in range(3)])
    shortfalls = measure([bank], catalog).shortfalls(Thresholds())
    assert "3 questions, fewer than 150" in shortfalls
    assert "bank small: 3 questions (< 15)" in shortfalls
    assert "source qingnianbao-2024: cited by 0 questions (< 20)" in shortfalls
    assert "1 distinct passages cited (< 60)" in shortfalls
    assert "true/false balance 3 true : 0 false is lopsided" in shortfalls
    assert "0 of 3 questions apply a skill (0% < 50%)" in shortfalls
    assert "bank small: 0 of 3 questions apply a skill (0% < 50%)" in shortfalls
    assert "bank small: 3 cited passages without a gloss" in shortfalls
    assert "3 questions name no learning objective" in shortfalls
    assert "parallel forms: none (need forms A and B)" in shortfalls
    relaxed = Thresholds(
        questions=3,
        per_bank=3,
        per_source=0,
        passages=1,
        true_share_min=0,
        skill_share=0,
        per_form=0,
        objectives_and_glosses=False,
    )
    assert measure([bank], catalog).shortfalls(relaxed) == []


def test_the_report_ends_with_the_verdict(catalog):
    bank = bank_of(catalog, "small", [make_question()])
    lines = report(measure([bank], catalog), Thresholds())
    assert lines[0].startswith("Sources")
    assert any(line.strip().startswith("huanqiu-2024-02") for line in lines)
    assert "types: single 1" in "\n".join(lines)
    assert lines[-1].startswith("  not met:")
