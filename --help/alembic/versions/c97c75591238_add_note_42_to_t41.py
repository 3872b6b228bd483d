"""add note_42 to t41

Revision ID: c97c75591238
Revises: ad04c1991d16
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c97c75591238'
down_revision = 'ad04c1991d16'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t41', sa.Column('note_42', sa.Text(), nullable=True))
    op.create_index('ix_t41_note_42', 't41', ['note_42'], postgresql_where=sa.text('note_42 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t41_note_42', table_name='t41')
    op.drop_column('t41', 'note_42')
