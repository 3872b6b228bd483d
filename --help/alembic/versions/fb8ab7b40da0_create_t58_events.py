"""create t58_events

Revision ID: fb8ab7b40da0
Revises: c6d5da846bcf
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'fb8ab7b40da0'
down_revision = 'c6d5da846bcf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t58_events',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('t56_id', sa.BigInteger(), sa.ForeignKey('t56.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_58'), nullable=False),
    )
    op.create_index('ix_t58_events_t56_id', 't58_events', ['t56_id'])


def downgrade() -> None:
    op.drop_index('ix_t58_events_t56_id', table_name='t58_events')
    op.drop_table('t58_events')
    sa.Enum(name='event_kind_58').drop(op.get_bind())
