"""What a downgrade checks before it changes anything (used by migrations/versions/).

A downgrade that would drop data the older schema cannot keep stops and
tells the operator to restore the backup made before upgrading. Kept in
the package, not copied into each revision: the rule and its message are
the same for every revision, and a fix reaches all of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError


def refuse_to_lose(revision: str, held_by_query: dict[str, str]) -> None:
    """Raise, before any change, if a query of ``held_by_query`` counts rows.

    ``held_by_query`` maps what is held ("self-study attempt(s)") to a
    ``SELECT count(*)`` of it, written for the schema of ``revision``.
    """
    bind = op.get_bind()
    held = [
        f"{count} {what}"
        for what, query in held_by_query.items()
        if (count := bind.execute(sa.text(query)).scalar())
    ]
    if held:
        raise CommandError(
            f"not downgraded below revision {revision}: the database holds {', '.join(held)}, "
            "which the schema before it cannot keep. To go back to an earlier release, restore "
            "the backup made with 'flask quiz backup' before upgrading: 'flask quiz restore "
            "FILE' into an empty database."
        )
