"""add note_87 to t86

Revision ID: 66b8b12d6676
Revises: fda059ee78a3
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '66b8b12d6676'
down_revision: Union[str, None] = 'fda059ee78a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t86', sa.Column('note_87', sa.Text(), nullable=True))
    op.create_index('ix_t86_note_87', 't86', ['note_87'], postgresql_where=sa.text('note_87 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t86_note_87', table_name='t86')
    op.drop_column('t86', 'note_87')
