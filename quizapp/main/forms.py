"""Forms of the main area."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField


class LanguageForm(FlaskForm):
    """The language switch in the page header: one button per language."""

    next = HiddenField()
    zh = SubmitField("中文")
    en = SubmitField("English")
