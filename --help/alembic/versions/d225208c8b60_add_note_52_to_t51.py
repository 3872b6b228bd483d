"""add note_52 to t51

Revision ID: d225208c8b60
Revises: ed837692c134
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd225208c8b60'
down_revision = 'ed837692c134'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t51', sa.Column('note_52', sa.Text(), nullable=True))
    op.create_index('ix_t51_note_52', 't51', ['note_52'], postgresql_where=sa.text('note_52 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t51_note_52', table_name='t51')
    op.drop_column('t51', 'note_52')
