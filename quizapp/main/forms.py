"""Forms of the main area."""

from wtforms import HiddenField, SubmitField

from quizapp.fields import PageForm


class LanguageForm(PageForm):
    """The language switch in the page header: one button per language."""

    next = HiddenField()
    zh = SubmitField("中文")
    en = SubmitField("English")
