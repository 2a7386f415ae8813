"""Questions a new or edited question may repeat, for the editor's warnings.

Compared with the current version of every other question that is not
retired: a retired question is offered to no one, so repeating it is no
harm (bringing it back would be the author's choice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from quizapp.domain.banks import QuestionSpec
from quizapp.domain.duplicates import SimilarPrompt, overlaps, similar_prompts
from quizapp.extensions import db
from quizapp.models import Citation, Passage, Question, QuestionVersion


@dataclass
class Duplicates:
    """What a question may repeat: for each of its passages, the others citing it; prompts."""

    passages: dict[int, list[Question]] = field(default_factory=dict)
    prompts: list[SimilarPrompt] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.passages or self.prompts)


def _others(exclude: int | None):
    """Select other questions' current versions that are not retired."""
    query = (
        select(Question)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(QuestionVersion.status != "retired")
        # The warnings link each question as bank/key: its bank in one more query, not one each.
        .options(selectinload(Question.bank))
    )
    return query if exclude is None else query.where(Question.id != exclude)


def _cited_elsewhere(spec: QuestionSpec, exclude: int | None) -> dict[int, list[Question]]:
    found: dict[int, list[Question]] = {}
    for position, citation in enumerate(spec.citations):
        rows = db.session.execute(
            _others(exclude)
            .add_columns(Passage.start, Passage.end)
            .join(Citation, Citation.version_id == Question.current_version_id)
            .join(Passage, Passage.id == Citation.passage_id)
            .where(Passage.source_id == citation.doc)
            .order_by(Question.bank_id, Question.position)
        )
        mine = (citation.anchor.start, citation.anchor.end)
        questions = {q.id: q for q, start, end in rows if overlaps(mine, (start, end))}
        if questions:
            found[position] = list(questions.values())
    return found


def _prompt_twins(spec: QuestionSpec, exclude: int | None) -> list[SimilarPrompt]:
    query = _others(exclude).options(contains_eager(Question.current_version))
    others = [(q, q.current_version.content["prompt"]) for q in db.session.scalars(query)]
    return similar_prompts(spec.content["prompt"], others)


def find_duplicates(spec: QuestionSpec, exclude: int | None = None) -> Duplicates:
    """Other questions citing a passage ``spec`` cites, or with a near-identical prompt.

    ``exclude`` is the question being edited, which is no duplicate of itself.
    """
    return Duplicates(_cited_elsewhere(spec, exclude), _prompt_twins(spec, exclude))
