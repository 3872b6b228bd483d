"""create t71

Revision ID: 4a47ff21ffd4
Revises: 86f8a3867481
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '4a47ff21ffd4'
down_revision: Union[str, None] = '86f8a3867481'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('t71',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), server_default='0', nullable=False),
        sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('t66.id', ondelete='CASCADE'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_index('ix_t71_created_at', 't71', ['created_at'])
    op.create_index('ix_t71_parent_id', 't71', ['parent_id'])


def downgrade() -> None:
    op.drop_index('ix_t71_parent_id', table_name='t71')
    op.drop_index('ix_t71_created_at', table_name='t71')
    op.drop_table('t71')
