"""add note_92 to t91

Revision ID: ba4730162123
Revises: d709e3fbfd50
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'ba4730162123'
down_revision = 'd709e3fbfd50'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t91', sa.Column('note_92', sa.Text(), nullable=True))
    op.create_index('ix_t91_note_92', 't91', ['note_92'], postgresql_where=sa.text('note_92 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t91_note_92', table_name='t91')
    op.drop_column('t91', 'note_92')
