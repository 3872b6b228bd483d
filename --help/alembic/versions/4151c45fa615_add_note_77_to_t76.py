"""add note_77 to t76

Revision ID: 4151c45fa615
Revises: 707319cb95b2
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '4151c45fa615'
down_revision: Union[str, None] = '707319cb95b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t76', sa.Column('note_77', sa.Text(), nullable=True))
    op.create_index('ix_t76_note_77', 't76', ['note_77'], postgresql_where=sa.text('note_77 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t76_note_77', table_name='t76')
    op.drop_column('t76', 'note_77')
