"""add note_97 to t96

Revision ID: 4dde525fb1a5
Revises: ec37dace54f0
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '4dde525fb1a5'
down_revision: Union[str, None] = 'ec37dace54f0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t96', sa.Column('note_97', sa.Text(), nullable=True))
    op.create_index('ix_t96_note_97', 't96', ['note_97'], postgresql_where=sa.text('note_97 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t96_note_97', table_name='t96')
    op.drop_column('t96', 'note_97')
