"""create t98_events

Revision ID: c8fcab815725
Revises: 4dde525fb1a5
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c8fcab815725'
down_revision = '4dde525fb1a5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t98_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t96_id', sa.BigInteger(), sa.ForeignKey('t96.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_98'), nullable=False),
    )
    op.create_index('ix_t98_events_t96_id', 't98_events', ['t96_id'])


def downgrade() -> None:
    op.drop_index('ix_t98_events_t96_id', table_name='t98_events')
    op.drop_table('t98_events')
    sa.Enum(name='event_kind_98').drop(op.get_bind())
