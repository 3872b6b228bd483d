"""create t56

Revision ID: 0c9aa03cc8ab
Revises: 17cc7fcd5827
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0c9aa03cc8ab'
down_revision = '17cc7fcd5827'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('t56',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), server_default='0', nullable=False),
        sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('t51.id', ondelete='CASCADE'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_index('ix_t56_created_at', 't56', ['created_at'])
    op.create_index('ix_t56_parent_id', 't56', ['parent_id'])


def downgrade() -> None:
    op.drop_index('ix_t56_parent_id', table_name='t56')
    op.drop_index('ix_t56_created_at', table_name='t56')
    op.drop_table('t56')
