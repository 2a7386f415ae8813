"""Revocable log-in sessions and shared rate-limit counters.

Every account gets a random session token (cookies issued before the
upgrade carry none and must log in again: sessions become revocable from
now on). The counters are transient: dropping them on a downgrade loses
only the current minute's count of attempts.

The downgrade therefore proceeds whatever the database holds: it drops
the counters and the session tokens (the previous release does not check
them; after upgrading again everyone signs in once more), nothing else.

Revision ID: e6aa0626cf4f
Revises: 6a1d2c9e4f70
Create Date: 2026-12-05 23:31:29.717167

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6aa0626cf4f'
down_revision = '6a1d2c9e4f70'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counter_expires_at'), ['expires_at'], unique=False)

    # Plain ADD COLUMN on SQLite: other tables reference user.
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), server_default='', nullable=False))

    bind = op.get_bind()
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for row in bind.execute(sa.select(user.c.id)).all():
        bind.execute(
            user.update().where(user.c.id == row.id).values(session_token=secrets.token_hex(16))
        )


def downgrade():
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('session_token')

    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counter_expires_at'))

    op.drop_table('rate_limit_counter')
