"""create t8_events

Revision ID: 8722a2b2059a
Revises: 0c85ab8608da
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8722a2b2059a'
down_revision = '0c85ab8608da'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t8_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t6_id', sa.BigInteger(), sa.ForeignKey('t6.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_8'), nullable=False),
    )
    op.create_index('ix_t8_events_t6_id', 't8_events', ['t6_id'])


def downgrade() -> None:
    op.drop_index('ix_t8_events_t6_id', table_name='t8_events')
    op.drop_table('t8_events')
    sa.Enum(name='event_kind_8').drop(op.get_bind())
