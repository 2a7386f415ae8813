"""The editor's warnings, as page notices: a question may repeat another
(:mod:`quizapp.services.duplicates`), or teaches less well than it could
(``flask quiz lint``'s rules for one question: no objective, a passage
without its English gloss, an absolute word in a wrong choice…).

Warnings only: they are shown on Check and after a new question is saved,
and never stop a save.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from quizapp.domain.banks import QuestionSpec
from quizapp.domain.lint import question_findings
from quizapp.domain.sources import SourceCatalog
from quizapp.models import Question
from quizapp.services.duplicates import find_duplicates


def _link(question: Question) -> Markup:
    href = url_for("admin.question", question_id=question.id)
    return Markup('<a href="{}">{}/{}</a>').format(href, question.bank.slug, question.key)


def duplicate_notices(spec: QuestionSpec, exclude: int | None = None) -> list[tuple[str, Markup]]:
    """``("warning", message)`` for each passage cited elsewhere and each near-identical prompt."""
    found = find_duplicates(spec, exclude)
    notices = []
    for position, questions in found.passages.items():
        # The msgid is formatted here, not by gettext, so that the links stay markup.
        message = Markup(_("Passage %(number)d is already cited by %(questions)s."))
        links = Markup(", ").join(_link(question) for question in questions)
        notices.append(("warning", message % {"number": position + 1, "questions": links}))
    for similar in found.prompts:
        if len(similar.languages) > 1:
            message = Markup(_("The prompt is nearly the same as that of %(question)s."))
        elif similar.languages == ["zh"]:
            message = Markup(_("The Chinese prompt is nearly the same as that of %(question)s."))
        else:
            message = Markup(_("The English prompt is nearly the same as that of %(question)s."))
        notices.append(("warning", message % {"question": _link(similar.question)}))
    return notices


def lint_notices(spec: QuestionSpec, catalog: SourceCatalog) -> list[tuple[str, str]]:
    """``("warning", message)`` for each of ``flask quiz lint``'s findings on ``spec``."""
    return [
        (
            "warning",
            _("Lint (%(rule)s): %(message)s. Fix: %(fix)s.", rule=rule, message=message, fix=fix),
        )
        for rule, message, fix in question_findings(spec, catalog)
    ]
