"""What the upload page and the Files page share about an import's plan."""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from flask_babel import ngettext

from quizapp.i18n import sentence_gap
from quizapp.services.imports import ImportSummary


def plan_digest(summary: ImportSummary) -> str:
    """A fingerprint of an import's plan, for the form that confirms it."""
    fields = summary.as_detail([])
    fields["unchanged"] = sorted(summary.unchanged)
    fields["conflicts"] = [[c.label, [repr(x) for x in c.changes]] for c in summary.conflicts]
    encoded = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def import_notice(applied: ImportSummary) -> str:
    """What an import did, for the admin who confirmed it."""
    notice = _(
        "Imported: %(added)d added, %(changed)d changed, %(retired)d retired, "
        "%(unchanged)d unchanged.",
        added=len(applied.added),
        changed=len(applied.changed),
        retired=len(applied.retired),
        unchanged=len(applied.unchanged),
    )
    if applied.kept:
        notice += sentence_gap() + ngettext(
            "%(num)d question changed in the editor since the file's base was kept as it is.",
            "%(num)d questions changed in the editor since the file's base were kept as they are.",
            len(applied.kept),
        )
    return notice
