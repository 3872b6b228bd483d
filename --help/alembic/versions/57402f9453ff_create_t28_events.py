"""create t28_events

Revision ID: 57402f9453ff
Revises: f6496403f8b6
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '57402f9453ff'
down_revision = 'f6496403f8b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t28_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t26_id', sa.BigInteger(), sa.ForeignKey('t26.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_28'), nullable=False),
    )
    op.create_index('ix_t28_events_t26_id', 't28_events', ['t26_id'])


def downgrade() -> None:
    op.drop_index('ix_t28_events_t26_id', table_name='t28_events')
    op.drop_table('t28_events')
    sa.Enum(name='event_kind_28').drop(op.get_bind())
