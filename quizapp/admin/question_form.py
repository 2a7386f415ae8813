"""Between the question form and the bank format.

:func:`raw_question` turns what was typed into a question as a bank file
would hold it (so the bank format's rules judge it), :func:`form_data`
does the reverse for an existing version, and :func:`field_problems` puts
each problem found back on the input it is about. Choices and passages are
added, removed and moved by editing this raw question, so the form works
without JavaScript.
"""

from __future__ import annotations

import re

from flask import abort

from quizapp.admin.forms import QuestionForm, RestoreForm
from quizapp.domain.fields import LANGUAGES
from quizapp.domain.numbers import whole_number_or
from quizapp.domain.problems import Problem
from quizapp.domain.question_types import REGISTRY

NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _pair(form, name: str) -> dict:
    """The ``{zh, en}`` text typed in the inputs ``NAME_zh`` and ``NAME_en`` of ``form``."""
    return {language: (form[f"{name}_{language}"].data or "").strip() for language in LANGUAGES}


def _number(text: str):
    """A typed number as a number; anything else is passed on for the format to refuse."""
    text = (text or "").strip()
    if NUMBER.fullmatch(text):
        value = float(text)
        return int(value) if value.is_integer() and "." not in text and "e" not in text else value
    return text


def raw_question(form: QuestionForm, key: str) -> dict:
    """The question the form describes, as a bank file would write it."""
    qtype = form.type.data
    raw: dict = {
        "id": key,
        "type": qtype,
        "status": form.status.data,
        "difficulty": whole_number_or(form.difficulty.data, 0),
        "tags": [tag for tag in re.split(r"[\s,，]+", form.tags.data or "") if tag],
        "prompt": _pair(form, "prompt"),
    }
    for name, field in (("objective", form.objective), ("form", form.form_name)):
        if (field.data or "").strip():
            raw[name] = field.data.strip()
    if (form.time_limit.data or "").strip():
        raw["time_limit"] = _number(form.time_limit.data)
    kind = REGISTRY.get(qtype)
    if kind is not None and kind.uses_choices:
        raw["choices"] = []
        right = []
        for entry in form.choices.entries:
            choice = {"id": (entry.form.id.data or "").strip(), "text": _pair(entry.form, "text")}
            feedback = _pair(entry.form, "feedback")
            if any(feedback.values()):
                choice["feedback"] = feedback
            raw["choices"].append(choice)
            if entry.form.correct.data:
                right.append(choice["id"])
        if qtype == "single":
            if right:
                raw["answer"] = right[0] if len(right) == 1 else right
        elif right:
            raw["answer"] = right
    elif qtype == "true_false":
        raw["answer"] = form.answer_truth.data == "true"
    elif qtype == "claim":
        raw["answer"] = form.answer_verdict.data
    elif qtype == "numeric":
        answer = {"value": _number(form.answer_value.data)}
        if (form.answer_tolerance.data or "").strip():
            answer["tolerance"] = _number(form.answer_tolerance.data)
        unit = _pair(form, "unit")
        if any(unit.values()):
            answer["unit"] = unit
        if (form.answer_month.data or "").strip():
            answer["month"] = _number(form.answer_month.data)
        raw["answer"] = answer
    elif qtype == "short_text":
        lines = [line.strip() for line in (form.answer_texts.data or "").splitlines()]
        raw["answer"] = [line for line in lines if line]
    explanation = _pair(form, "explanation")
    if any(explanation.values()) or form.status.data != "draft":
        raw["explanation"] = explanation  # a draft may be saved without one
    wrong = _pair(form, "wrong_feedback")
    if any(wrong.values()) and not (kind is not None and kind.uses_choices):
        raw["wrong_feedback"] = wrong
    raw["sources"] = []
    for entry in form.sources.entries:
        source = {"doc": entry.form.doc.data, "exact": (entry.form.exact.data or "").strip()}
        for side in ("prefix", "suffix"):
            typed = (entry.form[f"{side}_text"].data or "").strip()
            if typed:
                source[side] = typed
        gloss = (entry.form.gloss_en.data or "").strip()
        if gloss:
            source["gloss"] = {"en": gloss}
        raw["sources"].append(source)
    return raw


def form_data(key: str, content: dict) -> dict:
    """The form's fields for a version's ``content``, or for a raw question being edited."""
    data = {
        "key": key,
        "type": content["type"],
        "status": content["status"],
        "difficulty": str(content.get("difficulty") or "1"),
        "tags": " ".join(content.get("tags") or ()),
        "objective": content.get("objective", ""),
        "form_name": content.get("form", ""),
        "time_limit": str(content.get("time_limit") or ""),
    }
    for name in ("prompt", "explanation", "wrong_feedback"):
        for language in LANGUAGES:
            data[f"{name}_{language}"] = (content.get(name) or {}).get(language, "")
    answer = content.get("answer")
    data["choices"] = [
        {
            "id": choice["id"],
            "text_zh": choice["text"].get("zh", ""),
            "text_en": choice["text"].get("en", ""),
            "feedback_zh": (choice.get("feedback") or {}).get("zh", ""),
            "feedback_en": (choice.get("feedback") or {}).get("en", ""),
            "correct": choice["id"] == answer
            or (isinstance(answer, list) and choice["id"] in answer),
        }
        for choice in content.get("choices", ())
    ]
    if content["type"] == "true_false":
        data["answer_truth"] = "true" if answer else "false"
    elif content["type"] == "claim":
        data["answer_verdict"] = answer or "supported"
    elif content["type"] == "numeric":
        answer = answer or {}
        data["answer_value"] = _shown(answer.get("value"))
        data["answer_tolerance"] = _shown(answer.get("tolerance", 0))
        data["answer_month"] = str(answer.get("month") or "")
        data["unit_zh"] = (answer.get("unit") or {}).get("zh", "")
        data["unit_en"] = (answer.get("unit") or {}).get("en", "")
    elif content["type"] == "short_text":
        data["answer_texts"] = "\n".join(answer or ())
    data["sources"] = [
        {
            "doc": source["doc"],
            "exact": source["exact"],
            "prefix_text": source.get("prefix", ""),
            "suffix_text": source.get("suffix", ""),
            "gloss_en": (source.get("gloss") or {}).get("en", ""),
        }
        for source in content.get("sources", ())
    ]
    return data


def version_id(text: str | None) -> int | None:
    """A version id from a hidden input, or None if it cannot be one.

    Only ASCII digits ("١٢" is a digit to Python) and no more than nine of
    them, so that no database is asked about a number its integers cannot hold.
    """
    return whole_number_or((text or "").strip())


def posted_base_version() -> int:
    """The version a one-button form (restore, retire, bring back) was shown over:
    its CSRF token checked and its hidden version read; else a bad request."""
    form = RestoreForm()
    base = version_id(form.base_version.data) if form.validate() else None
    if base is None:
        abort(400)
    return base


def _shown(number) -> str:
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return "" if number is None else str(number)
    return str(int(number)) if float(number).is_integer() else str(number)


def edit_lists(raw: dict, action: str) -> bool:
    """Apply a list action (``add_choice``, ``remove_choice-2``, ``up_choice-1``...).

    Returns False if ``action`` is not one of them.
    """
    name, _, index_text = action.partition("-")
    lists = {
        "add_choice": "choices",
        "remove_choice": "choices",
        "up_choice": "choices",
        "down_choice": "choices",
        "add_source": "sources",
        "remove_source": "sources",
    }
    if name not in lists:
        return False
    items = raw.setdefault(lists[name], [])
    if name == "add_choice":
        used = {choice.get("id") for choice in items}
        new_id = next(letter for letter in "abcdefghijklmnopqrstuvwxyz" if letter not in used)
        items.append({"id": new_id, "text": {"zh": "", "en": ""}})
        return True
    if name == "add_source":
        previous = items[-1]["doc"] if items else None
        items.append({"doc": previous, "exact": ""})
        return True
    index = whole_number_or(index_text)
    if index is None or index >= len(items):
        return True
    if name.startswith("remove"):
        removed = items.pop(index)
        answer = raw.get("answer")
        if isinstance(answer, list) and removed.get("id") in answer:
            answer.remove(removed.get("id"))
        elif answer == removed.get("id"):
            raw.pop("answer", None)
    elif name == "up_choice" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif name == "down_choice" and index + 1 < len(items):
        items[index + 1], items[index] = items[index], items[index + 1]
    return True


def _field_name(path: tuple) -> str:
    """The form input a problem at ``path`` (in the raw question) is about."""
    if not path:
        return ""
    head, rest = path[0], path[1:]
    if head == "id":
        return "key"
    if head == "form":
        return "form_name"
    if head in ("prompt", "explanation", "wrong_feedback"):
        language = rest[0] if rest and rest[0] in LANGUAGES else "zh"
        return f"{head}_{language}"
    if head == "choices":
        if not rest or not isinstance(rest[0], int):
            return "choices"
        index, inner = rest[0], rest[1:]
        if not inner:
            return f"choices-{index}-text_zh"
        if inner[0] in ("text", "feedback"):
            language = inner[1] if len(inner) > 1 and inner[1] in LANGUAGES else "zh"
            return f"choices-{index}-{inner[0]}_{language}"
        return f"choices-{index}-id"
    if head == "answer":
        if rest and rest[0] == "tolerance":
            return "answer_tolerance"
        if rest and rest[0] == "unit":
            return "unit_zh"
        if rest and rest[0] == "month":
            return "answer_month"
        return "answer"
    if head in ("sources", "source"):
        if not rest or not isinstance(rest[0], int):
            return "sources"
        index, inner = rest[0], rest[1:]
        name = inner[0] if inner else "exact"
        if name == "gloss":
            return f"sources-{index}-gloss_en"
        return (
            f"sources-{index}-{name}_text"
            if name in ("prefix", "suffix")
            else (f"sources-{index}-{name}")
        )
    return head


def field_problems(problems: list[Problem]) -> dict[str, list[str]]:
    """Problems grouped by the name of the form input each is about ("" for the whole form)."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(_field_name(problem.path), []).append(problem.detail or problem.message)
    return grouped
