"""create t96

Revision ID: ec37dace54f0
Revises: 2da1824cde4f
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'ec37dace54f0'
down_revision = '2da1824cde4f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t96',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), server_default='0', nullable=False),
        sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('t91.id', ondelete='CASCADE'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_index('ix_t96_created_at', 't96', ['created_at'])
    op.create_index('ix_t96_parent_id', 't96', ['parent_id'])


def downgrade() -> None:
    op.drop_index('ix_t96_parent_id', table_name='t96')
    op.drop_index('ix_t96_created_at', table_name='t96')
    op.drop_table('t96')
