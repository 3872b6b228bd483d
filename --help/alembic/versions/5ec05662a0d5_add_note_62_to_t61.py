"""add note_62 to t61

Revision ID: 5ec05662a0d5
Revises: b1475f23fc7b
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '5ec05662a0d5'
down_revision = 'b1475f23fc7b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t61', sa.Column('note_62', sa.Text(), nullable=True))
    op.create_index('ix_t61_note_62', 't61', ['note_62'], postgresql_where=sa.text('note_62 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t61_note_62', table_name='t61')
    op.drop_column('t61', 'note_62')
