"""constraints 80 on t76

Revision ID: 945c9f9e015f
Revises: 02e620dbf404
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '945c9f9e015f'
down_revision = '02e620dbf404'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t76_amount_80', 't76', 'amount >= 0')
    op.create_unique_constraint('uq_t76_name_80', 't76', ['name', 'created_at'])
    op.create_index('ix_t76_name_amount_80', 't76', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t76_name_amount_80', table_name='t76')
    op.drop_constraint('uq_t76_name_80', 't76', type_='unique')
    op.drop_constraint('ck_t76_amount_80', 't76', type_='check')
