"""constraints 10 on t6

Revision ID: 45d74a0bfc5e
Revises: d9dde47b0be0
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '45d74a0bfc5e'
down_revision = 'd9dde47b0be0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t6_amount_10', 't6', 'amount >= 0')
    op.create_unique_constraint('uq_t6_name_10', 't6', ['name', 'created_at'])
    op.create_index('ix_t6_name_amount_10', 't6', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t6_name_amount_10', table_name='t6')
    op.drop_constraint('uq_t6_name_10', 't6', type_='unique')
    op.drop_constraint('ck_t6_amount_10', 't6', type_='check')
