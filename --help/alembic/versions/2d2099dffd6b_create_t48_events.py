"""create t48_events

Revision ID: 2d2099dffd6b
Revises: 78f6ae11cbea
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '2d2099dffd6b'
down_revision = '78f6ae11cbea'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t48_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t46_id', sa.BigInteger(), sa.ForeignKey('t46.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_48'), nullable=False),
    )
    op.create_index('ix_t48_events_t46_id', 't48_events', ['t46_id'])


def downgrade() -> None:
    op.drop_index('ix_t48_events_t46_id', table_name='t48_events')
    op.drop_table('t48_events')
    sa.Enum(name='event_kind_48').drop(op.get_bind())
