"""Attempts, attempt items and answers.

The downgrade drops them: it refuses while any attempt is stored.

Revision ID: d630f5c815c3
Revises: 1ebedc24db72
Create Date: 2026-11-21 13:27:31.467830

"""
from alembic import op
from quizapp.migration_guards import refuse_to_lose
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd630f5c815c3'
down_revision = '1ebedc24db72'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('learner_key', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('confidence_enabled', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt')),
    sa.UniqueConstraint('public_id', name=op.f('uq_attempt_public_id'))
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_learner_key'), ['learner_key'], unique=False)

    op.create_table('attempt_item',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('choice_order', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_attempt_item_attempt_id_attempt')),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_attempt_item_question_version_id_question_version')),
    sa.PrimaryKeyConstraint('attempt_id', 'position', name=op.f('pk_attempt_item'))
    )
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_item_question_version_id'), ['question_version_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('time_taken_ms', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id', 'position'], ['attempt_item.attempt_id', 'attempt_item.position'], name=op.f('fk_answer_attempt_id_attempt_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_answer_attempt_id_position'))
    )


def downgrade():
    refuse_to_lose(revision, {"self-study attempt(s)": "SELECT count(*) FROM attempt"})

    op.drop_table('answer')
    with op.batch_alter_table('attempt_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_item_question_version_id'))

    op.drop_table('attempt_item')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_learner_key'))

    op.drop_table('attempt')

