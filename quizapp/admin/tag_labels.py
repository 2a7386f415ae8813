"""Tags and learning objectives shown by their names from the vocabulary
(``questions/_tags.yaml``, ``questions/_objectives.yaml``) in the editor."""

from __future__ import annotations

from flask import g

from quizapp.admin import bp
from quizapp.i18n import current_language
from quizapp.services.catalog import configured_tags


@bp.app_template_filter("tag_label")
def tag_label(tag_id: str) -> str:
    """The tag's name in the interface language; its id if the vocabulary lacks it."""
    return _vocabulary().label(tag_id, current_language())


@bp.app_template_filter("objective_label")
def objective_label(objective_id: str) -> str:
    """The objective's name in the interface language; its id if it is not declared."""
    return _vocabulary().objective_label(objective_id, current_language())


def _vocabulary():
    # A page lists dozens of tags: one look at the file for all of them.
    if "tag_vocabulary" not in g:
        g.tag_vocabulary, _problems = configured_tags()
    return g.tag_vocabulary
