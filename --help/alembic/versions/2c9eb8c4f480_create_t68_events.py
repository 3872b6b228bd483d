"""create t68_events

Revision ID: 2c9eb8c4f480
Revises: 44155df6ce33
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '2c9eb8c4f480'
down_revision = '44155df6ce33'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t68_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t66_id', sa.BigInteger(), sa.ForeignKey('t66.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_68'), nullable=False),
    )
    op.create_index('ix_t68_events_t66_id', 't68_events', ['t66_id'])


def downgrade() -> None:
    op.drop_index('ix_t68_events_t66_id', table_name='t68_events')
    op.drop_table('t68_events')
    sa.Enum(name='event_kind_68').drop(op.get_bind())
