"""add note_32 to t31

Revision ID: bfa60672a4d6
Revises: 642eadae0c71
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'bfa60672a4d6'
down_revision = '642eadae0c71'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t31', sa.Column('note_32', sa.Text(), nullable=True))
    op.create_index('ix_t31_note_32', 't31', ['note_32'], postgresql_where=sa.text('note_32 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t31_note_32', table_name='t31')
    op.drop_column('t31', 'note_32')
