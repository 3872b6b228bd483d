"""create t3_events

Revision ID: 0a7a9f9f71da
Revises: b79e17ccd13d
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0a7a9f9f71da'
down_revision: Union[str, None] = 'b79e17ccd13d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t3_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t1_id', sa.BigInteger(), sa.ForeignKey('t1.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_3'), nullable=False),
    )
    op.create_index('ix_t3_events_t1_id', 't3_events', ['t1_id'])


def downgrade() -> None:
    op.drop_index('ix_t3_events_t1_id', table_name='t3_events')
    op.drop_table('t3_events')
    sa.Enum(name='event_kind_3').drop(op.get_bind())
