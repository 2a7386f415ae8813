"""Exported YAML reads back as the same canonical content."""

from hypothesis import HealthCheck, given, settings

from quizapp.domain.banks import read_bank
from quizapp.domain.export import bank_document, dump_bank, question_document
from tests.conftest import dump
from tests.strategies import banks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=banks())
def test_an_exported_bank_reads_back_as_the_same_content(catalog, document):
    first, problems = read_bank(dump(document).encode(), "in.yaml", catalog)
    assert problems == []
    exported = dump_bank(
        bank_document(
            first.slug,
            first.title,
            first.description,
            [(q.key, q.content) for q in first.questions],
        )
    )
    again, problems = read_bank(exported.encode(), "out.yaml", catalog)
    assert problems == []
    assert (again.slug, again.title, again.description) == (
        first.slug,
        first.title,
        first.description,
    )
    assert [(q.key, q.content) for q in again.questions] == [
        (q.key, q.content) for q in first.questions
    ]


def test_defaults_are_left_out_of_exported_questions():
    content = {
        "type": "true_false",
        "status": "published",
        "difficulty": 1,
        "tags": [],
        "prompt": {"zh": "a", "en": "a"},
        "answer": True,
        "explanation": {"zh": "b", "en": "b"},
        "sources": [{"doc": "d", "exact": "e"}],
    }
    document = question_document("q", content)
    assert list(document) == [
        "id",
        "type",
        "difficulty",
        "prompt",
        "answer",
        "explanation",
        "source",
    ]
