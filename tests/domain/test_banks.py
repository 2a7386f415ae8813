"""Validating bank files: every kind of mistake names its file and line."""

import pytest

from quizapp.domain import anchoring
from quizapp.domain.anchoring import MAX_SEARCHES
from quizapp.domain.banks import check_documents, check_files, read_bank
from tests.bad_banks import CASES, VALID
from tests.conftest import dump, make_bank, make_question


def problems_in(text: str, catalog) -> list[str]:
    _, problems = read_bank(text.encode("utf-8"), "b.yaml", catalog)
    return [str(problem) for problem in problems]


@pytest.mark.parametrize(("name", "raw", "line", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_bad_bank_is_reported_at_its_line(catalog, name, raw, line, fragment):
    bank, problems = read_bank(raw, "questions/bad.yaml", catalog)
    assert bank is None
    assert any(p.line == line and fragment in p.message for p in problems), problems
    assert all(str(p).startswith("questions/bad.yaml:") for p in problems)


def test_the_base_of_the_bad_banks_is_valid(catalog):
    assert problems_in(VALID, catalog) == []


def test_a_valid_bank_comes_back_in_canonical_form(catalog):
    question = make_question(prompt={"zh": "  饼干怎么了?\n", "en": "What?  "})
    del question["tags"]
    bank, problems = read_bank(dump(make_bank(questions=[question])).encode(), "b.yaml", catalog)
    assert problems == []
    content = bank.questions[0].content
    assert content["status"] == "published" and content["tags"] == []
    assert content["prompt"] == {"zh": "饼干怎么了?", "en": "What?"}
    assert content["sources"] == [{"doc": "huanqiu-2024-02", "exact": question["source"]["exact"]}]
    citation = bank.questions[0].citations[0]
    text = catalog.get("huanqiu-2024-02").text
    assert text[citation.anchor.start : citation.anchor.end] == question["source"]["exact"]


def test_multiple_choice_answers_are_kept_in_choice_order(catalog):
    choices = [{"id": k, "text": {"zh": k, "en": k}} for k in "abcd"]
    question = make_question(type="multiple", choices=choices, answer=["c", "a"])
    bank, problems = read_bank(dump(make_bank(questions=[question])).encode(), "b.yaml", catalog)
    assert problems == [] and bank.questions[0].content["answer"] == ["a", "c"]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {
                "type": "multiple",
                "answer": ["a", "b", "c"],
                "choices": [{"id": k, "text": {"zh": k, "en": k}} for k in "abc"],
            },
            "every choice is correct",
        ),
        (
            {"type": "numeric", "choices": None, "answer": {"value": 60, "tolerance": -1}},
            "tolerance: must not be negative",
        ),
        ({"type": "numeric", "choices": None, "answer": 60}, "expected a mapping with value"),
        (
            {"type": "short_text", "choices": None, "answer": ["Sora", " sora "]},
            "same accepted answer twice",
        ),
        ({"type": "true_false", "answer": True}, "true_false questions have no choices"),
        ({"type": "true_false", "choices": None, "answer": "yes"}, "expected true or false"),
        ({"wrong_feedback": {"zh": "错", "en": "No"}}, "give feedback on each choice instead"),
        ({"difficulty": 4}, "expected a whole number from 1 to 3"),
        ({"tags": ["a", "a"]}, "lists a tag twice"),
        ({"id": "Bad Id"}, "is not a valid id"),
        ({"status": "hidden"}, "'hidden' is not one of: published, draft, retired"),
        ({"promt": {"zh": "x", "en": "y"}}, "unknown field 'promt' (did you mean 'prompt'?)"),
        (
            {"sources": [{"doc": "huanqiu-2024-02", "exact": "饼干"}]},
            "either 'source' or 'sources'",
        ),
        ({"source": None}, "expected a mapping with doc and exact"),
        ({"prompt": "只有中文"}, "needs both languages"),
        ({"prompt": {"zh": "", "en": "x"}}, "must not be empty"),
    ],
)
def test_question_mistakes_are_explained(catalog, overrides, fragment):
    question = make_question(**overrides)
    for key in [k for k, v in overrides.items() if v is None and k != "source"]:
        del question[key]
    assert any(fragment in p for p in problems_in(dump(make_bank(questions=[question])), catalog))


def test_an_unquoted_comma_in_text_gets_a_hint(catalog):
    text = VALID.replace("text: {zh: 没有咬痕, en:", "text: {zh: 没有,咬痕, en:")
    assert any("put the text in quotes" in p for p in problems_in(text, catalog))


def test_several_sources_are_allowed(catalog):
    question = make_question(
        sources=[
            {"doc": "huanqiu-2024-02", "exact": "一个人咬了一口饼干"},
            {"doc": "21jingji-2024-02", "exact": "一个人咬一口饼干之后,饼干可能没有咬痕。"},
        ]
    )
    del question["source"]
    bank, problems = read_bank(dump(make_bank(questions=[question])).encode(), "b.yaml", catalog)
    assert problems == [] and len(bank.questions[0].citations) == 2


def test_a_bank_id_used_by_two_files_is_refused(catalog, write_bank):
    first = write_bank(make_bank(), "one.yaml")
    write_bank(make_bank(), "two.yaml")
    result = check_files([first.parent], catalog)
    assert [p.message for p in result.problems] == [
        f"bank: duplicate bank id 'test-bank' (also in {first}:1)"
    ]
    assert len(result.banks) == 1


def test_a_missing_file_is_reported(catalog, tmp_path):
    result = check_files([tmp_path / "nope.yaml"], catalog)
    assert result.problems[0].message == "no such file"


def test_every_problem_in_a_file_is_reported_in_one_pass(catalog):
    text = VALID.replace("type: single", "type: essay").replace("doc: huanqiu-2024-02", "doc: x")
    assert len(problems_in(text, catalog)) == 2


def test_a_check_of_files_full_of_wrong_quotes_searches_for_a_few_only(catalog, monkeypatch):
    searched = []
    real = anchoring.fuzz.partial_ratio_alignment
    monkeypatch.setattr(
        anchoring.fuzz,
        "partial_ratio_alignment",
        lambda *args, **options: searched.append(args) or real(*args, **options),
    )

    def wrong(number: int) -> dict:
        source = {"doc": "huanqiu-2024-02", "exact": f"第{number}句话文章里根本没有。"}
        return make_question(id=f"q{number}", source=source)

    files = [
        (f"{slug}.yaml", dump(make_bank(slug, [wrong(i) for i in range(15)])).encode())
        for slug in ("one", "two")
    ]
    result = check_documents(files, catalog)
    assert len(result.problems) == 30 and len(searched) == MAX_SEARCHES
    assert "closest passage (" in str(result.problems[0])
    assert "searched for the first 20 quotes not found only" in str(result.problems[-1])


def uncited(**overrides) -> dict:
    """make_question() with no citation and no explanation (as one imported from another tool)."""
    question = make_question()
    del question["source"], question["explanation"]
    return question | overrides


def test_a_draft_may_lack_its_citation_and_explanation_until_it_is_published(catalog):
    from quizapp.domain.export import bank_document, dump_bank

    bank, problems = read_bank(
        dump(make_bank(questions=[uncited(status="draft")])).encode(), "b.yaml", catalog
    )
    assert problems == []
    content = bank.questions[0].content
    assert content["sources"] == [] and "explanation" not in content
    # Written back without the missing fields, it reads the same again.
    document = bank_document("test-bank", bank.title, bank.description, [("q1", content)])
    again, problems = read_bank(dump_bank(document).encode(), "b.yaml", catalog)
    assert problems == [] and again.questions[0].content == content
    # The editor sends an empty list of passages: the same for a draft.
    bank, problems = read_bank(
        dump(make_bank(questions=[uncited(status="draft", sources=[])])).encode(), "b.yaml", catalog
    )
    assert problems == [] and bank.questions[0].content["sources"] == []


@pytest.mark.parametrize("status", ["published", "retired"])
def test_publishing_needs_the_citation_and_the_explanation(catalog, status):
    _bank, problems = read_bank(
        dump(make_bank(questions=[uncited(status=status)])).encode(), "b.yaml", catalog
    )
    messages = [problem.message for problem in problems]
    assert any("missing field 'explanation'" in message for message in messages), messages
    assert any("missing field 'source'" in message for message in messages), messages
    _bank, problems = read_bank(
        dump(
            make_bank(
                questions=[
                    uncited(status=status, sources=[], explanation={"zh": "解释。", "en": "Why."})
                ]
            )
        ).encode(),
        "b.yaml",
        catalog,
    )
    # An empty list of passages is no citation either.
    assert [problem.message for problem in problems] == [
        "questions[0].sources: cite at least one passage that supports the answer "
        "(only a draft may be without one)"
    ]
