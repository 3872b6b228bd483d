"""add note_27 to t26

Revision ID: f6496403f8b6
Revises: bdafd9df1951
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'f6496403f8b6'
down_revision: Union[str, None] = 'bdafd9df1951'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t26', sa.Column('note_27', sa.Text(), nullable=True))
    op.create_index('ix_t26_note_27', 't26', ['note_27'], postgresql_where=sa.text('note_27 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t26_note_27', table_name='t26')
    op.drop_column('t26', 'note_27')
