"""constraints 30 on t26

Revision ID: 3034e9b4b994
Revises: ac9216626c46
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '3034e9b4b994'
down_revision = 'ac9216626c46'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t26_amount_30', 't26', 'amount >= 0')
    op.create_unique_constraint('uq_t26_name_30', 't26', ['name', 'created_at'])
    op.create_index('ix_t26_name_amount_30', 't26', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t26_name_amount_30', table_name='t26')
    op.drop_constraint('uq_t26_name_30', 't26', type_='unique')
    op.drop_constraint('ck_t26_amount_30', 't26', type_='check')
