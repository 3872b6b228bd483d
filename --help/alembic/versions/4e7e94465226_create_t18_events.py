"""create t18_events

Revision ID: 4e7e94465226
Revises: 0d57a7fa7c38
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '4e7e94465226'
down_revision = '0d57a7fa7c38'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t18_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t16_id', sa.BigInteger(), sa.ForeignKey('t16.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_18'), nullable=False),
    )
    op.create_index('ix_t18_events_t16_id', 't18_events', ['t16_id'])


def downgrade() -> None:
    op.drop_index('ix_t18_events_t16_id', table_name='t18_events')
    op.drop_table('t18_events')
    sa.Enum(name='event_kind_18').drop(op.get_bind())
