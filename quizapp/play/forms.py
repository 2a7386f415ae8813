"""Forms of the students' side."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from quizapp.domain.live import CODE_DIGITS, clean_code
from quizapp.domain.nicknames import MAX_LENGTH
from quizapp.fields import PageForm


class JoinForm(PageForm):
    """The session code and a nickname."""

    # Read as the screen shows it: " 675 373 " and "675-373" are "675373".
    code = StringField(
        _l("Session code"),
        filters=[clean_code],
        validators=[
            DataRequired(_l("Enter the code shown on the screen.")),
            Regexp(
                rf"^\d{{{CODE_DIGITS}}}$",
                message=_l("The code is %(n)d digits.", n=CODE_DIGITS),
            ),
        ],
    )
    # Checked by the nickname rules (length, word list, taken) in the
    # service; generated-nickname sessions ignore it.
    nickname = StringField(_l("Nickname"), validators=[Length(max=MAX_LENGTH * 4)])
