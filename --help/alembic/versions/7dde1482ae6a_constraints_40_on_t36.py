"""constraints 40 on t36

Revision ID: 7dde1482ae6a
Revises: d2f6a9bb2b09
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '7dde1482ae6a'
down_revision = 'd2f6a9bb2b09'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t36_amount_40', 't36', 'amount >= 0')
    op.create_unique_constraint('uq_t36_name_40', 't36', ['name', 'created_at'])
    op.create_index('ix_t36_name_amount_40', 't36', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t36_name_amount_40', table_name='t36')
    op.drop_constraint('uq_t36_name_40', 't36', type_='unique')
    op.drop_constraint('ck_t36_amount_40', 't36', type_='check')
