"""Hypothesis strategies: generated banks that are valid but awkward to write."""

import string

from hypothesis import strategies as st

from tests.conftest import make_bank, make_question

# Text an author might write, including YAML's special characters, quotes,
# line breaks, CJK and full-width punctuation.
TEXT = st.text(
    alphabet=st.sampled_from(
        string.ascii_letters
        + string.digits
        + " \n:#-?!'\"{}[],&*|>%@`"
        + "测试伪造深度“”,。?!:\u00a0"
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip())
# The Chinese half has a Chinese character: one without is an untranslated
# copy, which only a draft may keep.
ZH_TEXT = st.tuples(st.sampled_from("测试伪造深度"), TEXT).map("".join)
BILINGUAL = st.fixed_dictionaries({"zh": ZH_TEXT, "en": TEXT})
QUOTES = [
    "一个人咬了一口饼干",
    "Sora并非毫无弱点",
    "盘和林认为,Sora当前版本的不足",
    "“深度伪造”引发担忧\n\n“颠覆性”",
]


@st.composite
def questions(draw, index):
    kind = draw(st.sampled_from(["single", "multiple", "true_false", "numeric", "short_text"]))
    question = make_question(
        id=f"q{index}",
        type=kind,
        prompt=draw(BILINGUAL),
        explanation=draw(BILINGUAL),
        difficulty=draw(st.integers(1, 3)),
        status=draw(st.sampled_from(["published", "draft", "retired"])),
        source={"doc": "huanqiu-2024-02", "exact": draw(st.sampled_from(QUOTES))},
    )
    if kind in ("single", "multiple"):
        count = draw(st.integers(3, 5))
        question["choices"] = [{"id": f"c{i}", "text": draw(BILINGUAL)} for i in range(count)]
        if draw(st.booleans()):
            question["choices"][1]["feedback"] = draw(BILINGUAL)
        question["answer"] = "c0" if kind == "single" else ["c0", "c2"]
    else:
        question.pop("choices")
        question["answer"] = {
            "true_false": draw(st.booleans()),
            "numeric": {
                "value": draw(st.integers(-10_000, 10_000)),
                "tolerance": draw(st.sampled_from([0, 0.5, 2])),
            },
            "short_text": ["深度伪造", draw(TEXT.filter(lambda s: s.strip() != "深度伪造"))],
        }[kind]
        if draw(st.booleans()):
            question["wrong_feedback"] = draw(BILINGUAL)
    return question


@st.composite
def banks(draw, slug: str = "test-bank"):
    count = draw(st.integers(1, 4))
    return make_bank(
        slug=slug,
        questions=[draw(questions(i)) for i in range(count)],
        title=draw(BILINGUAL),
        description=draw(BILINGUAL),
    )
