"""constraints 60 on t56

Revision ID: b2c5a30955f4
Revises: 675959b70890
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b2c5a30955f4'
down_revision = '675959b70890'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t56_amount_60', 't56', 'amount >= 0')
    op.create_unique_constraint('uq_t56_name_60', 't56', ['name', 'created_at'])
    op.create_index('ix_t56_name_amount_60', 't56', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t56_name_amount_60', table_name='t56')
    op.drop_constraint('uq_t56_name_60', 't56', type_='unique')
    op.drop_constraint('ck_t56_amount_60', 't56', type_='check')
