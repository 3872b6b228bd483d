"""constraints 65 on t61

Revision ID: 115c16f651c9
Revises: 8066c3382526
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '115c16f651c9'
down_revision: Union[str, None] = '8066c3382526'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t61_amount_65', 't61', 'amount >= 0')
    op.create_unique_constraint('uq_t61_name_65', 't61', ['name', 'created_at'])
    op.create_index('ix_t61_name_amount_65', 't61', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t61_name_amount_65', table_name='t61')
    op.drop_constraint('uq_t61_name_65', 't61', type_='unique')
    op.drop_constraint('ck_t61_amount_65', 't61', type_='check')
