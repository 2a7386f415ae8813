"""One attempt per start form: the form's one-time token on the attempt.

The downgrade drops the tokens and proceeds: a token only tells a start
form sent twice from a new one while a learner might resend it, and
attempts made before this revision have none either.

Revision ID: 5b0c2e9a7f13
Revises: d630f5c815c3
Create Date: 2026-11-21 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b0c2e9a7f13"
down_revision = "d630f5c815c3"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable: attempts made before this revision have no token.
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_attempt_request_token"), ["request_token"]
        )


def downgrade():
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attempt_request_token"), type_="unique")
        batch_op.drop_column("request_token")
