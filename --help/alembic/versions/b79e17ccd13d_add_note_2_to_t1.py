"""add note_2 to t1

Revision ID: b79e17ccd13d
Revises: 93cbc626190b
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b79e17ccd13d'
down_revision = '93cbc626190b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t1', sa.Column('note_2', sa.Text(), nullable=True))
    op.create_index('ix_t1_note_2', 't1', ['note_2'], postgresql_where=sa.text('note_2 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t1_note_2', table_name='t1')
    op.drop_column('t1', 'note_2')
