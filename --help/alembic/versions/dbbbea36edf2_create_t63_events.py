"""create t63_events

Revision ID: dbbbea36edf2
Revises: 5ec05662a0d5
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'dbbbea36edf2'
down_revision: Union[str, None] = '5ec05662a0d5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t63_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t61_id', sa.BigInteger(), sa.ForeignKey('t61.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_63'), nullable=False),
    )
    op.create_index('ix_t63_events_t61_id', 't63_events', ['t61_id'])


def downgrade() -> None:
    op.drop_index('ix_t63_events_t61_id', table_name='t63_events')
    op.drop_table('t63_events')
    sa.Enum(name='event_kind_63').drop(op.get_bind())
