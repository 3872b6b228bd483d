"""add note_17 to t16

Revision ID: 0d57a7fa7c38
Revises: d9e63f05eeba
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0d57a7fa7c38'
down_revision: Union[str, None] = 'd9e63f05eeba'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t16', sa.Column('note_17', sa.Text(), nullable=True))
    op.create_index('ix_t16_note_17', 't16', ['note_17'], postgresql_where=sa.text('note_17 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t16_note_17', table_name='t16')
    op.drop_column('t16', 'note_17')
