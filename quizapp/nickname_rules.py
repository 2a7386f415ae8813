"""The nickname rules as the web applies them: the configured deny-list, and
what a student is told when a join is refused. Shared by the students'
join page, the class join page and the teacher's "rename".
"""

from __future__ import annotations

from pathlib import Path

import yaml
from flask import current_app
from flask_babel import gettext as _

from quizapp.config import DEFAULT_DENY_LIST
from quizapp.domain.nicknames import DenyList, load_deny_list


def join_messages() -> dict[str, str]:
    """What to tell a student whose join was refused, per reason."""
    return {
        "empty": _("Enter a nickname."),
        "too_long": _("That nickname is too long: at most 20 characters."),
        "control": _("That nickname has characters that cannot be shown."),
        "denied": _("That nickname is not allowed here. Choose another."),
        "taken": _("Someone in this session already has that nickname. Choose another."),
        "finished": _("That session has ended."),
        "started": _("That session has started and does not take late joiners."),
        "removed": _("The teacher removed you from that session."),
        "locked": _("The teacher has locked this session: no one else may join now."),
        "no_session": _("No session with that code is running. Check the code on the screen."),
        "full": _("This session is full: the teacher set how many students may join."),
    }


def deny_list() -> DenyList:
    """The configured nickname deny-list; the shipped one if that file is broken.

    An admin's typo in the YAML file must not stop a class from joining:
    the error is logged and the shipped list applies until it is fixed.
    """
    configured = Path(current_app.config["QUIZ_NICKNAME_DENYLIST"])
    try:
        return load_deny_list(configured)
    except (OSError, ValueError, yaml.YAMLError) as problem:
        current_app.logger.error("nickname deny-list %s unusable: %s", configured, problem)
        return load_deny_list(DEFAULT_DENY_LIST)
