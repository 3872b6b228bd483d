"""add note_67 to t66

Revision ID: 44155df6ce33
Revises: 4afcaad18358
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '44155df6ce33'
down_revision: Union[str, None] = '4afcaad18358'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t66', sa.Column('note_67', sa.Text(), nullable=True))
    op.create_index('ix_t66_note_67', 't66', ['note_67'], postgresql_where=sa.text('note_67 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t66_note_67', table_name='t66')
    op.drop_column('t66', 'note_67')
