"""Forms of the students' side."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from quizapp.domain.live import CODE_DIGITS
from quizapp.domain.nicknames import MAX_LENGTH
from quizapp.fields import PageForm


class JoinForm(PageForm):
    """The session code and a nickname."""

    code = StringField(
        _l("Session code"),
        validators=[
            DataRequired(_l("Enter the code shown on the screen.")),
            Regexp(
                rf"^\s*\d{{{CODE_DIGITS}}}\s*$",
                message=_l("The code is %(n)d digits.", n=CODE_DIGITS),
            ),
        ],
    )
    # Checked by the nickname rules (length, word list, taken) in the
    # service; generated-nickname sessions ignore it.
    nickname = StringField(_l("Nickname"), validators=[Length(max=MAX_LENGTH * 4)])
