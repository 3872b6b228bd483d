"""create t33_events

Revision ID: 0f19ec8049b9
Revises: bfa60672a4d6
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0f19ec8049b9'
down_revision: Union[str, None] = 'bfa60672a4d6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t33_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t31_id', sa.BigInteger(), sa.ForeignKey('t31.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_33'), nullable=False),
    )
    op.create_index('ix_t33_events_t31_id', 't33_events', ['t31_id'])


def downgrade() -> None:
    op.drop_index('ix_t33_events_t31_id', table_name='t33_events')
    op.drop_table('t33_events')
    sa.Enum(name='event_kind_33').drop(op.get_bind())
