"""add note_57 to t56

Revision ID: c6d5da846bcf
Revises: 0c9aa03cc8ab
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'c6d5da846bcf'
down_revision: Union[str, None] = '0c9aa03cc8ab'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t56', sa.Column('note_57', sa.Text(), nullable=True))
    op.create_index('ix_t56_note_57', 't56', ['note_57'], postgresql_where=sa.text('note_57 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t56_note_57', table_name='t56')
    op.drop_column('t56', 'note_57')
