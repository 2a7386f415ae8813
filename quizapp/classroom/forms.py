"""Forms of the teacher's side of classroom sessions."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quizapp.domain.live import DEFAULT_MAX_PLAYERS, MAX_PLAYERS_ALLOWED, TIME_LIMITS
from quizapp.domain.numbers import whole_number
from quizapp.fields import REQUEST_TOKEN_LENGTH, MultiCheckboxField, PageForm, WholeNumberField


def _limit_label(seconds: int | None):
    if seconds is None:
        return _l("None: I close each question")
    if seconds < 60:
        return _l("%(seconds)d seconds", seconds=seconds)
    if seconds == 60:
        return _l("1 minute")
    return _l("%(minutes)g minutes", minutes=seconds / 60)


def _coerce_limit(value) -> int | None:
    if value in (None, "", "None"):
        return None
    return whole_number(value)


class NewSessionForm(PageForm):
    """Questions and options of a new session."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    banks = MultiCheckboxField(_l("Question banks"))
    # Version ids; when any is ticked, only those are asked.
    questions = MultiCheckboxField(_l("Only these questions"), coerce=whole_number)
    pacing = RadioField(
        _l("Pacing"),
        choices=[
            SelectChoice("teacher", _l("Teacher-paced: everyone answers the question on screen")),
            SelectChoice("student", _l("Student-paced: each student works at their own pace")),
        ],
        default="teacher",
    )
    deadline = DateTimeLocalField(
        _l("Deadline (student-paced, optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    time_limit = SelectField(
        _l("Time limit per question (teacher-paced)"),
        choices=[SelectChoice(str(s), _limit_label(s)) for s in TIME_LIMITS],
        coerce=_coerce_limit,
        default="None",
    )
    scoring = RadioField(
        _l("Scoring"),
        choices=[
            SelectChoice("plain", _l("One point per right answer")),
            SelectChoice(
                "speed", _l("One point per right answer, plus up to half a point for speed")
            ),
            SelectChoice("certainty", _l("Certainty-based marks: students say how sure they are")),
        ],
        default="plain",
    )
    late_join = BooleanField(_l("Students may join after the start"), default=True)
    leaderboard = BooleanField(_l("Show a podium and leaderboard at the end"), default=True)
    scoreboard = BooleanField(_l("Show the top five between questions"), default=True)
    discussion = BooleanField(
        _l("Peer instruction: after the first vote, discuss and vote again before the answer"),
        default=False,
    )
    auto_close = BooleanField(_l("Close a question when everyone has answered"), default=True)
    bank_times = BooleanField(_l("Questions with their own time in the bank take it"), default=True)
    nicknames = RadioField(
        _l("Nicknames"),
        choices=[
            SelectChoice("generated", _l("Generated for them (e.g. “Swift Otter”)")),
            SelectChoice("free", _l("Students choose them (checked against a word list)")),
        ],
        default="generated",
    )
    approve_names = BooleanField(
        _l("I approve chosen nicknames before the screen shows them"), default=False
    )
    shuffle = BooleanField(_l("Shuffle the choices on each device"), default=True)
    # Left empty: the default. A cap stops a script joining bots by the
    # thousand; a class never meets it.
    max_players = WholeNumberField(
        _l("Most students who may join"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_PLAYERS_ALLOWED,
                message=_l("Between 1 and %(max)d.", max=MAX_PLAYERS_ALLOWED),
            ),
        ],
        default=DEFAULT_MAX_PLAYERS,
    )
    # The teacher's own classes (set by the view); "" runs it for no class.
    school_class = SelectField(_l("For a class"), default="")
    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])


class ControlForm(PageForm):
    """A teacher's button: the action and the revision the screen showed, and
    the screen to go back to (the console, the presenter or the remote)."""

    action = HiddenField(validators=[DataRequired()])
    revision = HiddenField()
    back = HiddenField()


class PlayerForm(PageForm):
    """A moderation button next to a player: approve, hide, remove (with a
    ban), or rename (with the new nickname). Doing one twice is harmless."""

    action = HiddenField(validators=[DataRequired()])
    nickname = StringField(_l("New nickname"), validators=[Optional(), Length(max=40)])


class RemarkForm(PageForm):
    """Mark a group of typed answers right (or wrong again)."""

    position = HiddenField(validators=[DataRequired()])
    key = HiddenField(validators=[Length(max=200)])
    mark = HiddenField(validators=[DataRequired()])


class ArchiveForm(PageForm):
    """Archive a session ("1") or bring it back ("0")."""

    archived = HiddenField(validators=[DataRequired()])


class DeleteSessionForm(PageForm):
    """Deleting a session asks for its title, typed: there is no undo."""

    confirm = StringField(_l("Type the session's title to confirm"), validators=[DataRequired()])


class RunAgainForm(PageForm):
    """ "Run again" on a past session: a one-time token."""

    token = HiddenField(validators=[Length(max=REQUEST_TOKEN_LENGTH)])
