"""create t38_events

Revision ID: 559b7db281e6
Revises: 48e4ec212aa8
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '559b7db281e6'
down_revision = '48e4ec212aa8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t38_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t36_id', sa.BigInteger(), sa.ForeignKey('t36.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_38'), nullable=False),
    )
    op.create_index('ix_t38_events_t36_id', 't38_events', ['t36_id'])


def downgrade() -> None:
    op.drop_index('ix_t38_events_t36_id', table_name='t38_events')
    op.drop_table('t38_events')
    sa.Enum(name='event_kind_38').drop(op.get_bind())
