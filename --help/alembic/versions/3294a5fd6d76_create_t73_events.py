"""create t73_events

Revision ID: 3294a5fd6d76
Revises: a466eb37dbf8
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '3294a5fd6d76'
down_revision: Union[str, None] = 'a466eb37dbf8'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t73_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t71_id', sa.BigInteger(), sa.ForeignKey('t71.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_73'), nullable=False),
    )
    op.create_index('ix_t73_events_t71_id', 't73_events', ['t71_id'])


def downgrade() -> None:
    op.drop_index('ix_t73_events_t71_id', table_name='t73_events')
    op.drop_table('t73_events')
    sa.Enum(name='event_kind_73').drop(op.get_bind())
