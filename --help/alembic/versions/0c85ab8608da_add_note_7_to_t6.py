"""add note_7 to t6

Revision ID: 0c85ab8608da
Revises: 53f8e966c4bf
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0c85ab8608da'
down_revision: Union[str, None] = '53f8e966c4bf'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t6', sa.Column('note_7', sa.Text(), nullable=True))
    op.create_index('ix_t6_note_7', 't6', ['note_7'], postgresql_where=sa.text('note_7 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t6_note_7', table_name='t6')
    op.drop_column('t6', 'note_7')
