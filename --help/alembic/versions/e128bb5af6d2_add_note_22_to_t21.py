"""add note_22 to t21

Revision ID: e128bb5af6d2
Revises: 9c0d377a6563
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'e128bb5af6d2'
down_revision = '9c0d377a6563'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t21', sa.Column('note_22', sa.Text(), nullable=True))
    op.create_index('ix_t21_note_22', 't21', ['note_22'], postgresql_where=sa.text('note_22 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t21_note_22', table_name='t21')
    op.drop_column('t21', 'note_22')
