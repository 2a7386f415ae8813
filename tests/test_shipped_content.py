"""The shipped banks meet the content bar, and the format documentation is valid.

These are the thresholds of the content issue, asserted so they cannot
silently regress: counts (via ``quizapp.domain.coverage``, the same code as
``flask quiz coverage``) and the per-question rules a reviewer would check
first.
"""

import re

import pytest

from quizapp.domain.banks import read_bank
from quizapp.domain.coverage import Thresholds, measure
from quizapp.domain.tags import load_vocabulary
from tests.conftest import QUESTIONS

SKILL_TAGS = {
    "spot-a-physics-error",
    "check-the-source",
    "separate-fact-from-opinion",
    "who-is-speaking",
    "read-the-numbers",
    "spot-a-rewrite",
    "find-the-date",
    "tell-article-from-wrapper",
    "weigh-the-evidence",
}
# A Chinese character, then ASCII punctuation that Chinese text writes full-width.
ASCII_PUNCTUATION_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][,;:?!]|[,;:?!](?=[\u4e00-\u9fff])")


def questions(result):
    for bank in result.banks:
        for question in bank.questions:
            yield f"{bank.slug}/{question.key}", question.content


def test_the_shipped_banks_meet_the_content_bar(shipped, catalog):
    vocabulary, problems = load_vocabulary(QUESTIONS)
    assert problems == []
    coverage = measure(shipped.banks, catalog, list(vocabulary.objectives))
    assert len(vocabulary.objectives) >= 6
    assert coverage.shortfalls(Thresholds()) == []
    assert len(shipped.banks) >= 6


def test_every_type_and_every_difficulty_is_used_in_every_big_bank(shipped):
    for bank in shipped.banks:
        types = {q.content["type"] for q in bank.questions}
        levels = {q.content["difficulty"] for q in bank.questions}
        is_form = all(q.content.get("form") for q in bank.questions)
        # A form of the before/after check judges passages: apply and analyse only.
        assert levels == ({2, 3} if is_form else {1, 2, 3}), bank.slug
        if len(bank.questions) >= 20:
            expected = {"single", "multiple", "true_false", "claim", "numeric", "short_text"}
            if all(q.content.get("form") for q in bank.questions):
                expected = {"claim"}  # a form of the before/after check: claims only
            assert types == expected, bank.slug


def test_every_wrong_answer_gets_feedback(shipped):
    for name, content in questions(shipped):
        if "choices" in content:
            right = (
                content["answer"] if isinstance(content["answer"], list) else [content["answer"]]
            )
            for choice in content["choices"]:
                if choice["id"] not in right:
                    assert choice.get("feedback"), f"{name}: choice {choice['id']} has no feedback"
        else:
            assert content.get("wrong_feedback"), f"{name} has no wrong_feedback"


def test_no_catch_all_choices(shipped):
    for name, content in questions(shipped):
        for choice in content.get("choices", ()):
            text = choice["text"]["en"].lower() + choice["text"]["zh"]
            assert "all of the above" not in text and "none of the above" not in text, name
            assert "以上都" not in text and "以上皆" not in text, name


def stands_out_by_length(content: dict, language: str) -> str | None:
    """ "longest" or "shortest" if the right choice(s) are, strictly; else None."""
    right = content["answer"] if isinstance(content["answer"], list) else [content["answer"]]
    length = {c["id"]: len(c["text"][language]) for c in content["choices"]}
    right_lengths = [length[choice_id] for choice_id in right]
    wrong = [n for choice_id, n in length.items() if choice_id not in right]
    if min(right_lengths) > max(wrong):
        return "longest"
    if max(right_lengths) < min(wrong):
        return "shortest"
    return None


@pytest.mark.parametrize("language", ["zh", "en"])
def test_length_does_not_give_the_answer_away(shipped, language):
    # By chance the right one of 3-4 choices is the longest (or the shortest)
    # about a quarter of the time. Much more is a cue test-wise learners use;
    # much less ("never the longest") is a cue too, though a weaker one: the
    # writers were asked to avoid a uniquely longest right choice (the cue
    # `flask quiz lint` reports per bank), so the floor is lower than chance.
    choice_questions = [c for _, c in questions(shipped) if "choices" in c]
    found = [stands_out_by_length(c, language) for c in choice_questions]
    longest = found.count("longest") / len(found)
    shortest = found.count("shortest") / len(found)
    assert 0.05 <= longest <= 0.3, f"right choice longest in {longest:.0%}"
    assert shortest <= 0.3, f"right choice shortest in {shortest:.0%}"


def test_every_question_has_a_skill_or_topic_tag_a_teacher_can_filter_on(shipped):
    skills = set()
    for name, content in questions(shipped):
        assert content["tags"], f"{name} has no tags"
        skills |= SKILL_TAGS & set(content["tags"])
    assert len(skills) >= 6


def test_chinese_text_uses_full_width_punctuation(shipped):
    for name, content in questions(shipped):
        texts = [content["prompt"]["zh"], content["explanation"]["zh"]]
        texts += [content.get("wrong_feedback", {}).get("zh", "")]
        for choice in content.get("choices", ()):
            texts += [choice["text"]["zh"], choice.get("feedback", {}).get("zh", "")]
        for text in texts:
            assert not ASCII_PUNCTUATION_IN_CHINESE.search(text), f"{name}: {text}"


def test_the_example_in_the_format_documentation_is_a_valid_bank(catalog):
    readme = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\n\n```yaml\n(.*?)```", readme, re.S).group(1)
    bank, problems = read_bank(example.encode("utf-8"), "questions/README.md", catalog)
    assert problems == []
    assert bank.questions[0].content["choices"][1]["feedback"]["en"]


def test_no_question_needs_chinese_typed_in_the_english_interface(shipped):
    # A short written answer accepts a wording in Latin letters or digits,
    # and one in Chinese: each language's learners can type it.
    for name, content in questions(shipped):
        if content["type"] != "short_text":
            continue
        answers = content["answer"]
        assert any(re.fullmatch(r"[\x20-\x7e]+", a) for a in answers), f"{name}: no English answer"
        assert any(re.search(r"[\u4e00-\u9fff]", a) for a in answers), f"{name}: no Chinese answer"


def test_every_number_question_names_its_unit_in_both_languages_or_none(shipped):
    for name, content in questions(shipped):
        if content["type"] == "numeric" and "unit" in content["answer"]:
            unit = content["answer"]["unit"]
            assert unit["zh"] and unit["en"], name


def test_every_bank_says_the_reports_describe_the_february_2024_preview(shipped):
    for bank in shipped.banks:
        assert "2024" in bank.description["zh"] and "2024" in bank.description["en"], bank.slug


def test_every_picture_the_readme_shows_is_one_the_screenshot_tests_take():
    """No broken image, and none drawn by hand that would go stale: each
    picture in docs/images is named by tests/browser/test_screenshots.py."""
    root = QUESTIONS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\((docs/images/[^)]+)\)", readme))
    assert shown, "the README shows no picture"
    assert sorted(p for p in shown if not (root / p).is_file()) == []
    taker = (root / "tests" / "browser" / "test_screenshots.py").read_text(encoding="utf-8")
    for picture in sorted((root / "docs" / "images").glob("*.png")):
        stem = picture.stem
        named = stem in taker or re.sub(r"-(en|zh)$", "-{language}", stem) in taker
        assert named, f"{picture.name} is not taken by the screenshot tests"
