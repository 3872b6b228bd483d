"""create t76

Revision ID: 707319cb95b2
Revises: 262e8dcac569
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '707319cb95b2'
down_revision = '262e8dcac569'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t76',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), server_default='0', nullable=False),
        sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('t71.id', ondelete='CASCADE'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_index('ix_t76_created_at', 't76', ['created_at'])
    op.create_index('ix_t76_parent_id', 't76', ['parent_id'])


def downgrade() -> None:
    op.drop_index('ix_t76_parent_id', table_name='t76')
    op.drop_index('ix_t76_created_at', table_name='t76')
    op.drop_table('t76')
