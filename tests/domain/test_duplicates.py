"""Spotting a prompt that nearly repeats another's, and passages that overlap."""

from quizapp.domain.duplicates import PROMPT_SIMILARITY, overlaps, similar_prompts

PROMPT = {
    "zh": "OpenAI 举了哪个例子,说明 Sora 可能无法理解因果关系?",
    "en": "Which example did OpenAI give of Sora failing at cause and effect?",
}


def test_a_prompt_differing_by_a_word_is_reported_in_that_language():
    others = [
        ("same-english", {"zh": "完全不同的问题。", "en": PROMPT["en"].replace("give", "offer")}),
        ("unrelated", {"zh": "谁写了这篇报道?", "en": "Who wrote the report?"}),
    ]
    found = similar_prompts(PROMPT, others)
    assert [(f.question, f.languages) for f in found] == [("same-english", ["en"])]
    assert PROMPT_SIMILARITY <= found[0].score < 100


def test_width_case_and_spaces_do_not_hide_a_repeat_and_each_question_is_named_once():
    twin = {"zh": "OpenAI举了哪个例子，说明Sora可能无法理解因果关系？", "en": PROMPT["en"].upper()}
    found = similar_prompts(PROMPT, [("twin", twin)])
    assert [(f.question, f.languages, f.score) for f in found] == [("twin", ["zh", "en"], 100)]


def test_a_question_on_another_point_of_the_same_topic_is_not_reported():
    other = {
        "zh": "OpenAI 举了哪个例子,说明 Sora 可能混淆空间细节?",
        "en": "Which example did OpenAI give of Sora confusing spatial details?",
    }
    assert similar_prompts(PROMPT, [("other", other)]) == []


def test_ranges_overlap_only_when_they_share_a_character():
    assert overlaps((10, 20), (19, 30)) and overlaps((10, 20), (12, 14))
    assert not overlaps((10, 20), (20, 30)) and not overlaps((10, 20), (0, 10))
