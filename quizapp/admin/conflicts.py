"""Edit conflicts in the question editor: both texts side by side, and a choice.

When a save meets a version saved meanwhile, the service merges the two
edits field by field (:mod:`quizapp.services.versions`). What it cannot
merge comes back here: the form holds the merge, with the admin's own text
in each field both changed, and carries those fields in a hidden input
(``conflicts``) together with the version they started from
(``merge_base``) and the version merged with (``base_version``). Each
field is then shown as "yours" and "theirs" with two buttons: "Use theirs"
puts their text into the form and "Keep mine" leaves the form as it is;
neither saves. Everything round-trips through the form, so it works
without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.admin.forms import status_label, type_label
from quizapp.admin.question_form import raw_question, version_id
from quizapp.domain.merge import FIELDS, field_lines, field_value, is_field, set_field
from quizapp.domain.versions import Field
from quizapp.i18n import CONTENT_LANGUAGE_NAMES
from quizapp.models import Question, QuestionVersion
from quizapp.services.versions import Saved, UnknownVersion, base_version, last_changed_in

# The same words as the history's names of a question's lines.
NAMES = {
    "type": _l("Type"),
    "status": _l("Status"),
    "difficulty": _l("Difficulty"),
    "tags": _l("Tags"),
    "prompt": _l("Prompt"),
    "answer": _l("Choices and answer"),
    "explanation": _l("Explanation"),
    "wrong_feedback": _l("Feedback after a wrong answer"),
    "sources": _l("Passages"),
}

CHOICES = ("use_theirs", "keep_mine")


def field_label(field: str) -> str:
    """The name of a merged field in the interface language, e.g. "Prompt (English)"."""
    name, _sep, language = field.partition(".")
    label = str(NAMES.get(name, name))
    if language not in CONTENT_LANGUAGE_NAMES:
        return label
    return _("%(field)s (%(language)s)", field=label, language=CONTENT_LANGUAGE_NAMES[language])


def pending_fields(text: str | None) -> list[str]:
    """The fields still to choose for, from the form's hidden ``conflicts`` input."""
    named = set((text or "").split())
    return [field for field in FIELDS if field in named]


def choose(question: Question | None, form, raw: dict, action: str) -> list[str] | None:
    """Apply "Use theirs" or "Keep mine" (``use_theirs-prompt.en``...) to ``raw``.

    Returns the fields still to choose for, or None if ``action`` is not a
    choice. Their text is read from the version the form is based on:
    :class:`UnknownVersion` if that is not one of this question's.
    """
    choice, _sep, field = action.partition("-")
    if choice not in CHOICES:
        return None
    pending = pending_fields(form.conflicts.data)
    if question is None or not is_field(field) or field not in pending:
        return pending
    if choice == "use_theirs":
        theirs = _version(question, form.base_version.data)
        set_field(raw, field, field_value(theirs.content, field))
    return [name for name in pending if name != field]


def _version(question: Question, text: str | None) -> QuestionVersion:
    number = version_id(text)
    if number is None:
        raise UnknownVersion(text)
    return base_version(question, number)


@dataclass
class ConflictRow:
    """One field both admins changed: its name, both texts, and who wrote theirs when."""

    field: str
    label: str
    mine: list[tuple[Field, str]]
    theirs: list[tuple[Field, str]]
    version: QuestionVersion

    @property
    def slug(self) -> str:
        """The field's name as an HTML id."""
        return self.field.replace(".", "-")

    @property
    def language(self) -> str | None:
        """The language of the field's text, if it is one language's."""
        return self.field.partition(".")[2] or None

    @property
    def whole(self) -> bool:
        """True if the field reads as several labelled lines (choices, passages)."""
        return self.field in ("answer", "sources")

    @property
    def differing(self) -> set[Field]:
        """The lines that read differently on the two sides, to be marked."""
        mine, theirs = dict(self.mine), dict(self.theirs)
        return {line for line in mine.keys() | theirs.keys() if mine.get(line) != theirs.get(line)}


def _lines(content: dict, field: str) -> list[tuple[Field, str]]:
    """``field`` of ``content`` as lines, a type or status in the interface's words."""
    name = {"type": type_label, "status": status_label}.get(field)
    lines = field_lines(content, field)
    return [(line, str(name(text))) for line, text in lines] if name else lines


def conflict_rows(question: Question | None, form) -> list[ConflictRow]:
    """The fields of ``form`` still to choose for, each with both texts."""
    fields = pending_fields(form.conflicts.data)
    if question is None or not fields:
        return []
    try:
        theirs = _version(question, form.base_version.data)
    except UnknownVersion:
        return []
    try:
        start = _version(question, form.merge_base.data)
    except UnknownVersion:
        start = None
    authors = {}
    if start is not None and start.number < theirs.number:
        authors = last_changed_in(question, start, theirs, fields)
    mine = raw_question(form, question.key)
    return [
        ConflictRow(
            field,
            field_label(field),
            _lines(mine, field),
            _lines(theirs.content, field),
            authors.get(field, theirs),
        )
        for field in fields
    ]


def who(version: QuestionVersion) -> str:
    """Who saved ``version``, as the history names them."""
    return version.author.name if version.author else _("command line")


def merge_notice(saved: Saved) -> str:
    """What to tell the admin whose save was merged with a version saved meanwhile."""
    theirs = saved.merged_with
    names = ", ".join(field_label(field) for field in saved.taken_from_theirs)
    if not saved.created:
        return _(
            "Version %(theirs)d, saved meanwhile by %(who)s, already has all your changes, "
            "so no new version was made.",
            theirs=theirs.number,
            who=who(theirs),
        )
    if not names:
        return _(
            "Saved as version %(number)d, merged with version %(theirs)d that %(who)s saved "
            "meanwhile: they had made the same changes where you both edited.",
            number=saved.version.number,
            theirs=theirs.number,
            who=who(theirs),
        )
    return _(
        "Saved as version %(number)d, merged with version %(theirs)d that %(who)s saved "
        "meanwhile. From their version: %(fields)s.",
        number=saved.version.number,
        theirs=theirs.number,
        who=who(theirs),
        fields=names,
    )
