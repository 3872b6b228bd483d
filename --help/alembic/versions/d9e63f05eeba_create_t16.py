"""create t16

Revision ID: d9e63f05eeba
Revises: 1b3caecc830a
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd9e63f05eeba'
down_revision = '1b3caecc830a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t16',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), server_default='0', nullable=False),
        sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('t11.id', ondelete='CASCADE'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_index('ix_t16_created_at', 't16', ['created_at'])
    op.create_index('ix_t16_parent_id', 't16', ['parent_id'])


def downgrade() -> None:
    op.drop_index('ix_t16_parent_id', table_name='t16')
    op.drop_index('ix_t16_created_at', table_name='t16')
    op.drop_table('t16')
