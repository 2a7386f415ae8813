"""The base of every form, and form fields shared by several areas."""

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class PageForm(FlaskForm):
    """A Flask-WTF form whose built-in messages are in the page's language.

    Flask-WTF's own translation (``WTF_I18N_ENABLED``, off in our config)
    reads WTForms' catalogue from disk on every request that builds a form,
    a third of a millisecond on each live page; WTForms' own lookup, used
    here, keeps each language's catalogue once loaded.
    """

    class Meta:
        @property
        def locales(self) -> list[str]:
            return [str(get_locale())]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (a multiple select is hard to use on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
