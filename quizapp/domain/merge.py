"""Three-way merge of two edits of one question, field by field.

Two admins open version N of a question; one saves N+1 ("theirs"), then the
other saves ("mine"). Each field of the question is merged on its own, with
version N as the common base: a field only one of them changed takes that
change, a field both changed the same way is kept, and a field both changed
differently is a conflict for a person to decide. Nothing here touches the
database, so the service, the web page and the tests share one rule.

The fields are the units an admin edits as one thing: type, status,
difficulty, the tags, each language of the prompt, explanation and wrong
feedback, the choices with the answer, and the passages.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from quizapp.domain.banks import QuestionSpec, check_question
from quizapp.domain.fields import LANGUAGES
from quizapp.domain.sources import SourceCatalog
from quizapp.domain.tags import TagVocabulary
from quizapp.domain.versions import Field, flatten

BILINGUAL = ("prompt", "explanation", "wrong_feedback")

#: The merged fields in the order of the editor's form.
FIELDS: tuple[str, ...] = (
    "type",
    "status",
    "difficulty",
    "tags",
    *(f"prompt.{language}" for language in LANGUAGES),
    # The choices and the answer are one field. The answer names choices by
    # id, and a choice's text means something only together with whether
    # it is the right one: merging one admin's new text for choice "b"
    # with the other's decision that "b" is now correct could give a
    # question that validates and is wrong. Two edits of the choices are
    # rare enough that asking costs less than guessing.
    "answer",
    *(f"explanation.{language}" for language in LANGUAGES),
    *(f"wrong_feedback.{language}" for language in LANGUAGES),
    # Passages as one list too: a passage is known only by its place in
    # the list, so "the second passage" of two edits need not be the same.
    "sources",
)

# The lines of quizapp.domain.versions.flatten that show each field.
_LINES = {
    "type": "type",
    "status": "status",
    "difficulty": "difficulty",
    "tags": "tags",
    "choice_order": "answer",
    "choice": "answer",
    "choice_feedback": "answer",
    "answer": "answer",
    "source": "sources",
    "gloss": "sources",
    "objective": "objective",
    "form": "form",
    "time_limit": "time_limit",
}


@dataclass(frozen=True)
class Merge:
    """What merging gave: the content, the fields in conflict and those taken from theirs.

    ``content`` holds mine for every field in conflict, so a form filled
    from it shows everything the admin typed with the other's changes to
    other fields already in. ``spec`` is the merged question, validated,
    when there is no conflict (see :func:`merge_question`).
    """

    content: dict
    conflicts: tuple[str, ...]
    taken_from_theirs: tuple[str, ...]
    spec: QuestionSpec | None = None


def is_field(name: str) -> bool:
    """True if ``name`` is one of the merged fields."""
    return name in FIELDS


def field_value(content: dict, field: str):
    """The value of ``field`` in ``content`` (None where the question has none)."""
    name, _, language = field.partition(".")
    if language:
        return (content.get(name) or {}).get(language)
    if field == "answer":
        return {"choices": content.get("choices"), "answer": content.get("answer")}
    return content.get(field)


def set_field(content: dict, field: str, value) -> None:
    """Put ``value`` as ``field`` into ``content`` (None removes it)."""
    value = copy.deepcopy(value)
    name, _, language = field.partition(".")
    if language:
        pair = dict(content.get(name) or {})
        if value is None:
            pair.pop(language, None)
        else:
            pair[language] = value
        if pair:
            content[name] = pair
        else:
            content.pop(name, None)
    elif field == "answer":
        for key in ("choices", "answer"):
            _put(content, key, (value or {}).get(key))
    else:
        _put(content, field, value)


def _put(content: dict, key: str, value) -> None:
    if value is None:
        content.pop(key, None)
    else:
        content[key] = value


def _fields(*contents: dict) -> list[str]:
    """The merged fields, and any other top-level key one of ``contents`` has, merged whole."""
    covered = set(BILINGUAL) | {"choices", "answer", *FIELDS}
    extra = sorted({key for content in contents for key in content} - covered)
    return [*FIELDS, *extra]


def merge_content(base: dict, mine: dict, theirs: dict) -> Merge:
    """Merge ``mine`` and ``theirs``, two edits of ``base``, field by field.

    Per field: if mine left it as in base, theirs is taken; if theirs left
    it, mine is kept; if both made it the same, that is kept; otherwise it
    is a conflict and mine stays in ``content``. The result is not checked
    against the bank format: see :func:`merge_question`.
    """
    content = copy.deepcopy(mine)
    conflicts, taken = [], []
    for field in _fields(base, mine, theirs):
        was, mine_now, theirs_now = (field_value(c, field) for c in (base, mine, theirs))
        if mine_now == theirs_now or theirs_now == was:
            continue
        if mine_now == was:
            set_field(content, field, theirs_now)
            taken.append(field)
        else:
            conflicts.append(field)
    return Merge(content, tuple(conflicts), tuple(taken))


def merge_question(
    key: str,
    base: dict,
    mine: dict,
    theirs: dict,
    catalog: SourceCatalog,
    vocabulary: TagVocabulary | None = None,
) -> Merge:
    """Merge as :func:`merge_content`, then hold the result to the rules of a save.

    Fields merged one by one can make a question no admin wrote and the
    format refuses (a wrong feedback taken from theirs on a question mine
    turned into a choice question, a passage theirs quotes from an article
    since changed). Then every field taken from theirs becomes a conflict,
    with mine kept in each, and the admin decides.
    """
    merged = merge_content(base, mine, theirs)
    if merged.conflicts:
        return merged
    spec, problems = check_question({"id": key, **merged.content}, catalog, vocabulary)
    if problems or spec is None:
        return Merge(copy.deepcopy(mine), merged.taken_from_theirs, ())
    return Merge(spec.content, (), merged.taken_from_theirs, spec)


def field_lines(content: dict, field: str) -> list[tuple[Field, str]]:
    """How ``field`` of ``content`` reads: labelled lines as in the history's differences.

    ``content`` may be a form's question being typed; what cannot be shown
    as lines (a number field holding letters) is shown as typed.
    """
    try:
        lines = flatten(content)
    except (KeyError, TypeError, ValueError, AttributeError):
        return [(Field(field), str(field_value(content, field)))]
    shown = []
    for line, text in lines.items():
        owner = _LINES.get(line.name) or f"{line.name}.{line.language}"
        if owner == field and text:
            shown.append((line, text))
    return shown
