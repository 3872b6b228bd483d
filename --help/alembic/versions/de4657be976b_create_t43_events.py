"""create t43_events

Revision ID: de4657be976b
Revises: c97c75591238
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'de4657be976b'
down_revision: Union[str, None] = 'c97c75591238'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t43_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t41_id', sa.BigInteger(), sa.ForeignKey('t41.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_43'), nullable=False),
    )
    op.create_index('ix_t43_events_t41_id', 't43_events', ['t41_id'])


def downgrade() -> None:
    op.drop_index('ix_t43_events_t41_id', table_name='t43_events')
    op.drop_table('t43_events')
    sa.Enum(name='event_kind_43').drop(op.get_bind())
