"""create t88_events

Revision ID: c219639ad795
Revises: 66b8b12d6676
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c219639ad795'
down_revision = '66b8b12d6676'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t88_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t86_id', sa.BigInteger(), sa.ForeignKey('t86.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_88'), nullable=False),
    )
    op.create_index('ix_t88_events_t86_id', 't88_events', ['t86_id'])


def downgrade() -> None:
    op.drop_index('ix_t88_events_t86_id', table_name='t88_events')
    op.drop_table('t88_events')
    sa.Enum(name='event_kind_88').drop(op.get_bind())
