"""constraints 35 on t31

Revision ID: c9d4ce5593d3
Revises: a9b56a5265fd
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'c9d4ce5593d3'
down_revision: Union[str, None] = 'a9b56a5265fd'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t31_amount_35', 't31', 'amount >= 0')
    op.create_unique_constraint('uq_t31_name_35', 't31', ['name', 'created_at'])
    op.create_index('ix_t31_name_amount_35', 't31', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t31_name_amount_35', table_name='t31')
    op.drop_constraint('uq_t31_name_35', 't31', type_='unique')
    op.drop_constraint('ck_t31_amount_35', 't31', type_='check')
