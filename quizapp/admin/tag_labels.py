"""Tags shown by their names from the vocabulary (``questions/_tags.yaml``) in the editor."""

from __future__ import annotations

from flask import g

from quizapp.admin import bp
from quizapp.i18n import current_language
from quizapp.services.catalog import configured_tags


@bp.app_template_filter("tag_label")
def tag_label(tag_id: str) -> str:
    """The tag's name in the interface language; its id if the vocabulary lacks it."""
    # A page lists dozens of tags: one look at the file for all of them.
    if "tag_vocabulary" not in g:
        g.tag_vocabulary, _problems = configured_tags()
    return g.tag_vocabulary.label(tag_id, current_language())
