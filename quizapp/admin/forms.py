"""Forms of the bank editor.

The question form only carries what the admin typed; whether it is a valid
question is decided by the bank format's own rules
(:func:`quizapp.domain.banks.check_question`), the same as ``flask quiz
check``, and :mod:`quizapp.admin.question_form` puts each problem back next
to its field.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from quizapp.domain.banks import STATUSES
from quizapp.domain.fields import IDENTIFIER
from quizapp.domain.question_types import REGISTRY
from quizapp.fields import PageForm

#: Generous limits on single inputs, far above the bank format's own, so
#: that a pasted megabyte is refused before any work is done on it (see
#: :func:`over_limit`).
LONG = 20_000
SHORT = 2_000


def over_limit(form: Form) -> dict[str, list[str]]:
    """The inputs of ``form`` (nested forms included) longer than their
    :class:`~wtforms.validators.Length` allows, by input name, with its message.

    A form's other checks, and everything done with what was typed, come
    after this one: a pasted megabyte in a quote was folded and searched
    before being refused.
    """
    found: dict[str, list[str]] = {}

    def visit(fields) -> None:
        for field in fields:
            if isinstance(field, (FieldList, FormField)):
                visit(field)
                continue
            for validator in field.validators:
                if not isinstance(validator, Length):
                    continue
                try:
                    validator(form, field)
                except ValidationError as error:
                    found[field.name] = [str(error)]

    visit(form)
    return found


def type_label(name: str):
    """The name of a question type in the interface language."""
    return {
        "single": _l("One right choice"),
        "multiple": _l("Several right choices"),
        "true_false": _l("True or false"),
        "claim": _l("Supported by the passage or not"),
        "numeric": _l("A number"),
        "short_text": _l("A short written answer"),
    }.get(name, name)


def status_label(name: str):
    """The name of a question status in the interface language."""
    # Lower-case msgids: "Published" is already an article's publication date.
    return {"published": _l("published"), "draft": _l("draft"), "retired": _l("retired")}.get(
        name, name
    )


class ChoiceForm(Form):
    """One choice of a choice question."""

    id = StringField(_l("Choice id"), validators=[Length(max=64)])
    text_zh = TextAreaField(_l("Text (Chinese)"), validators=[Length(max=LONG)])
    text_en = TextAreaField(_l("Text (English)"), validators=[Length(max=LONG)])
    correct = BooleanField(_l("This choice is right"))
    feedback_zh = TextAreaField(_l("Feedback when picked (Chinese)"), validators=[Length(max=LONG)])
    feedback_en = TextAreaField(_l("Feedback when picked (English)"), validators=[Length(max=LONG)])


class SourceForm(Form):
    """One cited passage: the article and the quote that anchors in it."""

    doc = SelectField(_l("Article"))
    exact = TextAreaField(_l("Quote"), validators=[Length(max=LONG)])
    gloss_en = TextAreaField(
        _l("English gloss (the project's own translation)"),
        validators=[Length(max=LONG)],
    )
    prefix_text = StringField(
        _l("Text just before (only to tell repeats apart)"), [Length(max=SHORT)]
    )
    suffix_text = StringField(
        _l("Text just after (only to tell repeats apart)"), [Length(max=SHORT)]
    )


class QuestionForm(PageForm):
    """Every field of a question in the bank format, in both languages."""

    key = StringField(_l("Question id"), validators=[Length(max=64)])
    # The version the form was opened on: a save over a version saved since
    # is merged with it (see quizapp.services.versions).
    base_version = HiddenField()
    # After an edit conflict: the version the admin's edit started from and
    # the fields both changed, still to choose between (see admin.conflicts).
    merge_base = HiddenField()
    conflicts = HiddenField()
    type = SelectField(
        _l("Type"), choices=[SelectChoice(name, type_label(name)) for name in REGISTRY]
    )
    status = SelectField(
        _l("Status"), choices=[SelectChoice(name, status_label(name)) for name in STATUSES]
    )
    difficulty = SelectField(
        _l("Difficulty"),
        choices=[
            SelectChoice("1", _l("1: easy")),
            SelectChoice("2", _l("2: medium")),
            SelectChoice("3", _l("3: hard")),
        ],
    )
    # Seconds, in a live session that takes each question's own time.
    time_limit = StringField(_l("Time in a live session (seconds)"))
    # Choices are the declared objectives, set per request (admin.questions).
    objective = SelectField(_l("Learning objective"), choices=[], validate_choice=False)
    form_name = SelectField(
        _l("Form of the before/after check"),
        choices=[
            SelectChoice("", _l("none")),
            SelectChoice("A", _l("form A")),
            SelectChoice("B", _l("form B")),
        ],
        validate_choice=False,
    )
    tags = StringField(_l("Tags (separated by spaces or commas)"), validators=[Length(max=SHORT)])
    prompt_zh = TextAreaField(_l("Prompt (Chinese)"), validators=[Length(max=LONG)])
    prompt_en = TextAreaField(_l("Prompt (English)"), validators=[Length(max=LONG)])
    choices = FieldList(FormField(ChoiceForm), max_entries=12)
    answer_truth = SelectField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
    )
    answer_verdict = SelectField(
        _l("The passage"),
        choices=[
            SelectChoice("supported", _l("supports the statement")),
            SelectChoice("not_supported", _l("does not support the statement")),
        ],
    )
    answer_value = StringField(_l("Right number"), validators=[Length(max=64)])
    answer_tolerance = StringField(_l("Accepted error (±)"), validators=[Length(max=64)])
    answer_month = SelectField(
        _l("Month, when the number is a day of it"),
        choices=[
            SelectChoice("", _l("none")),
            *(SelectChoice(str(m), str(m)) for m in range(1, 13)),
        ],
        validate_choice=False,
    )
    unit_zh = StringField(_l("Unit (Chinese)"), validators=[Length(max=64)])
    unit_en = StringField(_l("Unit (English)"), validators=[Length(max=64)])
    answer_texts = TextAreaField(_l("Accepted answers, one per line"), [Length(max=LONG)])
    explanation_zh = TextAreaField(_l("Explanation (Chinese)"), validators=[Length(max=LONG)])
    explanation_en = TextAreaField(_l("Explanation (English)"), validators=[Length(max=LONG)])
    wrong_feedback_zh = TextAreaField(
        _l("Feedback after a wrong answer (Chinese)"), validators=[Length(max=LONG)]
    )
    wrong_feedback_en = TextAreaField(
        _l("Feedback after a wrong answer (English)"), validators=[Length(max=LONG)]
    )
    sources = FieldList(FormField(SourceForm), max_entries=5)
    preview_language = SelectField(
        _l("Preview in"),
        choices=[SelectChoice("zh", "中文"), SelectChoice("en", "English")],
        default="zh",
    )


class BankForm(PageForm):
    """A bank's own fields; the id only when creating it."""

    slug = StringField(
        _l("Bank id"),
        validators=[
            Optional(),
            Regexp(
                f"^{IDENTIFIER.pattern}$",
                message=_l("Use a-z, 0-9, '-' and '_', at most 64 characters."),
            ),
        ],
    )
    revision = HiddenField()
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    description_zh = TextAreaField(
        _l("Description (Chinese)"), validators=[DataRequired(), Length(max=2000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[DataRequired(), Length(max=2000)]
    )


class BankStatusForm(PageForm):
    """Retire or bring back a bank, at the revision the page showed."""

    revision = HiddenField(validators=[DataRequired()])


class RestoreForm(PageForm):
    """Restore an old version, over the version the page showed as current."""

    base_version = HiddenField(validators=[DataRequired()])


class UploadForm(PageForm):
    """One or more bank files."""

    files = MultipleFileField(
        _l("Bank files (YAML)"),
        validators=[
            FileRequired(),
            FileAllowed(["yaml", "yml", "zip"], _l("Only .yaml, .yml or .zip files.")),
        ],
    )


class ConfirmUploadForm(PageForm):
    """The checked files, sent back to be imported if the plan is unchanged."""

    files = HiddenField(validators=[DataRequired()])
    plan = HiddenField(validators=[DataRequired()])


class ConfirmPlanForm(PageForm):
    """Write the banks back, or import the questions folder, if the plan is still
    the one shown (its fingerprint)."""

    plan = HiddenField(validators=[DataRequired()])


class DraftsUploadForm(PageForm):
    """A file from another tool whose questions are to come in as drafts."""

    file = FileField(
        _l("A file from another tool"),
        validators=[
            FileRequired(),
            FileAllowed(
                ["txt", "gift", "aiken", "xml", "csv", "xlsx"],
                _l("Only .txt, .gift, .aiken, .xml, .csv or .xlsx files."),
            ),
        ],
    )
    format = SelectField(_l("Its format"), choices=[], default="")


class ConfirmDraftsForm(PageForm):
    """The checked file, sent back to be added if its plan is unchanged."""

    file_name = HiddenField(validators=[DataRequired(), Length(max=255)])
    packed = HiddenField(validators=[DataRequired()])
    format = HiddenField(validators=[DataRequired(), Length(max=32)])
    plan = HiddenField(validators=[DataRequired(), Length(max=128)])
