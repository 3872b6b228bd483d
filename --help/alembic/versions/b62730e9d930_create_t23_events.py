"""create t23_events

Revision ID: b62730e9d930
Revises: e128bb5af6d2
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'b62730e9d930'
down_revision: Union[str, None] = 'e128bb5af6d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t23_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t21_id', sa.BigInteger(), sa.ForeignKey('t21.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_23'), nullable=False),
    )
    op.create_index('ix_t23_events_t21_id', 't23_events', ['t21_id'])


def downgrade() -> None:
    op.drop_index('ix_t23_events_t21_id', table_name='t23_events')
    op.drop_table('t23_events')
    sa.Enum(name='event_kind_23').drop(op.get_bind())
