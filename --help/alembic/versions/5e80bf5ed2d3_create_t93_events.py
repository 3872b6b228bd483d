"""create t93_events

Revision ID: 5e80bf5ed2d3
Revises: ba4730162123
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '5e80bf5ed2d3'
down_revision: Union[str, None] = 'ba4730162123'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t93_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t91_id', sa.BigInteger(), sa.ForeignKey('t91.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_93'), nullable=False),
    )
    op.create_index('ix_t93_events_t91_id', 't93_events', ['t91_id'])


def downgrade() -> None:
    op.drop_index('ix_t93_events_t91_id', table_name='t93_events')
    op.drop_table('t93_events')
    sa.Enum(name='event_kind_93').drop(op.get_bind())
