"""add note_82 to t81

Revision ID: cfbdcb5806ef
Revises: 97f48a21be03
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'cfbdcb5806ef'
down_revision = '97f48a21be03'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t81', sa.Column('note_82', sa.Text(), nullable=True))
    op.create_index('ix_t81_note_82', 't81', ['note_82'], postgresql_where=sa.text('note_82 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t81_note_82', table_name='t81')
    op.drop_column('t81', 'note_82')
