"""The shipped banks and the format documentation are valid."""

import re

from quizapp.domain.banks import check_files, read_bank
from tests.conftest import QUESTIONS


def test_the_shipped_banks_pass_check_with_a_mix_of_types(catalog):
    result = check_files([QUESTIONS], catalog)
    assert result.problems == []
    types = {q.content["type"] for bank in result.banks for q in bank.questions}
    assert result.question_count >= 10
    assert types == {"single", "multiple", "true_false", "numeric", "short_text"}


def test_the_example_in_the_format_documentation_is_a_valid_bank(catalog):
    readme = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\n\n```yaml\n(.*?)```", readme, re.S).group(1)
    bank, problems = read_bank(example.encode("utf-8"), "questions/README.md", catalog)
    assert problems == []
    assert bank.questions[0].content["choices"][1]["feedback"]["en"]
