"""Classroom sessions: staff accounts, sessions, their questions, players and answers.

New tables only, so no server defaults are needed for existing rows. The
downgrade drops them: it refuses while any account or session is stored.

Revision ID: 1124f22eeafd
Revises: 5b0c2e9a7f13
Create Date: 2026-11-21 15:27:51.503919

"""
from alembic import op
from quizapp.migration_guards import refuse_to_lose
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1124f22eeafd'
down_revision = '5b0c2e9a7f13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('name', name=op.f('uq_user_name'))
    )
    op.create_table('class_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=True),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('request_token', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('pacing', sa.String(length=16), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['teacher_id'], ['user.id'], name=op.f('fk_class_session_teacher_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_session')),
    sa.UniqueConstraint('code', name=op.f('uq_class_session_code')),
    sa.UniqueConstraint('public_id', name=op.f('uq_class_session_public_id')),
    sa.UniqueConstraint('request_token', name=op.f('uq_class_session_request_token'))
    )
    with op.batch_alter_table('class_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_session_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('player',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('nickname_key', sa.String(length=80), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=32), nullable=False),
    sa.Column('first_position', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_player_session_id_class_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_player')),
    sa.UniqueConstraint('session_id', 'nickname_key', name=op.f('uq_player_session_id_nickname_key')),
    sa.UniqueConstraint('token', name=op.f('uq_player_token'))
    )
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_player_session_id'), ['session_id'], unique=False)

    op.create_table('class_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('time_taken_ms', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['player.id'], name=op.f('fk_class_answer_player_id_player')),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_class_answer_session_id_class_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_answer')),
    sa.UniqueConstraint('player_id', 'position', 'round', name=op.f('uq_class_answer_player_id_position_round'))
    )
    with op.batch_alter_table('class_answer', schema=None) as batch_op:
        batch_op.create_index('ix_class_answer_session_position', ['session_id', 'position', 'round'], unique=False)

    op.create_table('class_session_item',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_class_session_item_question_version_id_question_version')),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_class_session_item_session_id_class_session')),
    sa.PrimaryKeyConstraint('session_id', 'position', name=op.f('pk_class_session_item'))
    )
    with op.batch_alter_table('class_session_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_session_item_question_version_id'), ['question_version_id'], unique=False)



def downgrade():
    refuse_to_lose(revision, {
        "account(s)": 'SELECT count(*) FROM "user"',
        "classroom session(s)": "SELECT count(*) FROM class_session",
    })

    with op.batch_alter_table('class_session_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_session_item_question_version_id'))

    op.drop_table('class_session_item')
    with op.batch_alter_table('class_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_class_answer_session_position')

    op.drop_table('class_answer')
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_player_session_id'))

    op.drop_table('player')
    with op.batch_alter_table('class_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_session_teacher_id'))

    op.drop_table('class_session')
    op.drop_table('user')

