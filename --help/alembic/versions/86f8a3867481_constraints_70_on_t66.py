"""constraints 70 on t66

Revision ID: 86f8a3867481
Revises: e7e6b4565a05
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '86f8a3867481'
down_revision = 'e7e6b4565a05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t66_amount_70', 't66', 'amount >= 0')
    op.create_unique_constraint('uq_t66_name_70', 't66', ['name', 'created_at'])
    op.create_index('ix_t66_name_amount_70', 't66', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t66_name_amount_70', table_name='t66')
    op.drop_constraint('uq_t66_name_70', 't66', type_='unique')
    op.drop_constraint('ck_t66_amount_70', 't66', type_='check')
