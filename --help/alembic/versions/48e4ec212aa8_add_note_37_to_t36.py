"""add note_37 to t36

Revision ID: 48e4ec212aa8
Revises: 6e85ae804526
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '48e4ec212aa8'
down_revision: Union[str, None] = '6e85ae804526'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t36', sa.Column('note_37', sa.Text(), nullable=True))
    op.create_index('ix_t36_note_37', 't36', ['note_37'], postgresql_where=sa.text('note_37 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t36_note_37', table_name='t36')
    op.drop_column('t36', 'note_37')
