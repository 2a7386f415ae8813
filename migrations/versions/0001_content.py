"""Sources, passages, banks, questions and their immutable versions.

Revision ID: 1ebedc24db72
Revises:
Create Date: 2026-11-21 12:45:28.682978

question.current_version_id and question_version.question_id point at each
other. SQLite takes the first inline (it checks references only on use);
PostgreSQL gets it as a separate constraint once both tables exist, which
is what SQLAlchemy does for use_alter foreign keys.

The downgrade empties the database: it refuses while any source or bank
is stored.
"""
from alembic import op
from quizapp.migration_guards import refuse_to_lose
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1ebedc24db72'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank')),
    sa.UniqueConstraint('slug', name=op.f('uq_bank_slug'))
    )
    op.create_table('source',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('outlet', sa.JSON(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('published', sa.String(length=10), nullable=False),
    sa.Column('date_note', sa.JSON(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('copy_note', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('article_start', sa.Integer(), nullable=False),
    sa.Column('article_end', sa.Integer(), nullable=False),
    sa.Column('noise_pattern', sa.String(length=500), nullable=True),
    sa.Column('join_broken_lines', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source'))
    )
    op.create_table('passage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('exact', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_passage_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passage')),
    sa.UniqueConstraint('source_id', 'start', 'end', name=op.f('uq_passage_source_id_start_end'))
    )
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passage_source_id'), ['source_id'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_question_bank_id_bank')),
    sa.ForeignKeyConstraint(['current_version_id'], ['question_version.id'], name=op.f('fk_question_current_version_id_question_version'), use_alter=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('bank_id', 'key', name=op.f('uq_question_bank_id_key'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_bank_id'), ['bank_id'], unique=False)

    op.create_table('question_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('difficulty', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_version_question_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_version')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_version_question_id_number'))
    )
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_version_question_id'), ['question_id'], unique=False)

    if op.get_context().dialect.supports_alter:
        op.create_foreign_key(op.f('fk_question_current_version_id_question_version'),
                              'question', 'question_version', ['current_version_id'], ['id'])

    op.create_table('citation',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('passage_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['passage_id'], ['passage.id'], name=op.f('fk_citation_passage_id_passage')),
    sa.ForeignKeyConstraint(['version_id'], ['question_version.id'], name=op.f('fk_citation_version_id_question_version')),
    sa.PrimaryKeyConstraint('version_id', 'position', name=op.f('pk_citation'))
    )
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citation_passage_id'), ['passage_id'], unique=False)



def downgrade():
    refuse_to_lose(revision, {
        "source(s)": "SELECT count(*) FROM source",
        "bank(s)": "SELECT count(*) FROM bank",
    })

    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citation_passage_id'))

    op.drop_table('citation')
    # Break the question <-> version cycle so the tables can go one by one.
    op.execute("UPDATE question SET current_version_id = NULL")
    if op.get_context().dialect.supports_alter:
        op.drop_constraint(op.f('fk_question_current_version_id_question_version'),
                           'question', type_='foreignkey')
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_version_question_id'))

    op.drop_table('question_version')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_bank_id'))

    op.drop_table('question')
    with op.batch_alter_table('passage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passage_source_id'))

    op.drop_table('passage')
    op.drop_table('source')
    op.drop_table('bank')

