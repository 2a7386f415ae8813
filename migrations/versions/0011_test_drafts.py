"""Tests worked on like an exam: drafts, flags and a time limit.

An unsubmitted test's items hold a draft response (changeable) and a flag;
a test may have a deadline. Nothing existing changes: a test started before
the upgrade keeps the answers it already recorded (final, as they were) and
takes drafts for the rest.

A downgrade would drop drafts not yet submitted, flags and time limits,
which the older schema cannot keep, so it refuses while any exists.

Revision ID: cbf9b15d8605
Revises: 4bcc46c47611
Create Date: 2026-12-06 16:52:46.095852

"""

from alembic import op
import sqlalchemy as sa

from quizapp.migration_guards import refuse_to_lose


# revision identifiers, used by Alembic.
revision = "cbf9b15d8605"
down_revision = "4bcc46c47611"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("attempt_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("draft_confidence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_time_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("draft_saved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("flagged", sa.Boolean(), server_default="0", nullable=False))


def downgrade():
    refuse_to_lose(
        revision,
        {
            "unsubmitted test answer(s) or flag(s)": (
                "SELECT count(*) FROM attempt_item JOIN attempt ON attempt.id = attempt_item.attempt_id"
                " WHERE attempt.finished_at IS NULL"
                " AND (attempt_item.draft_saved_at IS NOT NULL OR attempt_item.flagged)"
            ),
            "test(s) with a time limit": "SELECT count(*) FROM attempt WHERE deadline IS NOT NULL",
        },
    )
    with op.batch_alter_table("attempt_item", schema=None) as batch_op:
        batch_op.drop_column("flagged")
        batch_op.drop_column("draft_saved_at")
        batch_op.drop_column("draft_time_ms")
        batch_op.drop_column("draft_confidence")
        batch_op.drop_column("draft")

    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("deadline")
