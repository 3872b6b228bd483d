"""add note_47 to t46

Revision ID: 78f6ae11cbea
Revises: 35a57eee55aa
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '78f6ae11cbea'
down_revision: Union[str, None] = '35a57eee55aa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('t46', sa.Column('note_47', sa.Text(), nullable=True))
    op.create_index('ix_t46_note_47', 't46', ['note_47'], postgresql_where=sa.text('note_47 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t46_note_47', table_name='t46')
    op.drop_column('t46', 'note_47')
