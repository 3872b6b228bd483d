"""create t78_events

Revision ID: 813ecffc7abf
Revises: 4151c45fa615
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '813ecffc7abf'
down_revision = '4151c45fa615'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t78_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t76_id', sa.BigInteger(), sa.ForeignKey('t76.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_78'), nullable=False),
    )
    op.create_index('ix_t78_events_t76_id', 't78_events', ['t76_id'])


def downgrade() -> None:
    op.drop_index('ix_t78_events_t76_id', table_name='t78_events')
    op.drop_table('t78_events')
    sa.Enum(name='event_kind_78').drop(op.get_bind())
