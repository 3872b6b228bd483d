"""create t83_events

Revision ID: d083931bc6e5
Revises: cfbdcb5806ef
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'd083931bc6e5'
down_revision: Union[str, None] = 'cfbdcb5806ef'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t83_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t81_id', sa.BigInteger(), sa.ForeignKey('t81.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_83'), nullable=False),
    )
    op.create_index('ix_t83_events_t81_id', 't83_events', ['t81_id'])


def downgrade() -> None:
    op.drop_index('ix_t83_events_t81_id', table_name='t83_events')
    op.drop_table('t83_events')
    sa.Enum(name='event_kind_83').drop(op.get_bind())
