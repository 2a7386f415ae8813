"""The base of every form, and form fields shared by several areas."""

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from quizapp.domain.numbers import whole_number

#: The one-time token of a form that creates something (a double click
#: creates one): the length of its column.
REQUEST_TOKEN_LENGTH = 64


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

        def render_field(self, field, render_kw):
            # Hidden fields have no id: a page has several forms (the
            # language switch, log-out, the page's own), each with a CSRF
            # token and often a "next", a "token" or a "revision", so ids
            # would repeat, and no label or script needs one.
            if getattr(field.widget, "input_type", None) == "hidden":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (a multiple select is hard to use on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


#: WTForms' own message, translated by its catalogue in the page's language
#: (a name, not a literal, so that our catalogue does not take it).
WTFORMS_NOT_AN_INTEGER = "Not a valid integer value."


class WholeNumberField(IntegerField):
    """A whole number typed in a form, read by :func:`whole_number` (ASCII
    digits within the database's integers), so "٣" or a 5,000-digit number
    is a form error, as any other wrong value."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = whole_number(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.gettext(WTFORMS_NOT_AN_INTEGER)) from None
