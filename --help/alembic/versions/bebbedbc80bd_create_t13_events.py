"""create t13_events

Revision ID: bebbedbc80bd
Revises: 25a50a70e700
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'bebbedbc80bd'
down_revision: Union[str, None] = '25a50a70e700'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t13_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t11_id', sa.BigInteger(), sa.ForeignKey('t11.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_13'), nullable=False),
    )
    op.create_index('ix_t13_events_t11_id', 't13_events', ['t11_id'])


def downgrade() -> None:
    op.drop_index('ix_t13_events_t11_id', table_name='t13_events')
    op.drop_table('t13_events')
    sa.Enum(name='event_kind_13').drop(op.get_bind())
