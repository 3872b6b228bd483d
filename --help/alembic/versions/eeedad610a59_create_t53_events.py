"""create t53_events

Revision ID: eeedad610a59
Revises: d225208c8b60
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'eeedad610a59'
down_revision: Union[str, None] = 'd225208c8b60'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t53_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t51_id', sa.BigInteger(), sa.ForeignKey('t51.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_53'), nullable=False),
    )
    op.create_index('ix_t53_events_t51_id', 't53_events', ['t51_id'])


def downgrade() -> None:
    op.drop_index('ix_t53_events_t51_id', table_name='t53_events')
    op.drop_table('t53_events')
    sa.Enum(name='event_kind_53').drop(op.get_bind())
