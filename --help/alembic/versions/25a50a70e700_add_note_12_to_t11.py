"""add note_12 to t11

Revision ID: 25a50a70e700
Revises: 89e2a4be7de4
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '25a50a70e700'
down_revision = '89e2a4be7de4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t11', sa.Column('note_12', sa.Text(), nullable=True))
    op.create_index('ix_t11_note_12', 't11', ['note_12'], postgresql_where=sa.text('note_12 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t11_note_12', table_name='t11')
    op.drop_column('t11', 'note_12')
