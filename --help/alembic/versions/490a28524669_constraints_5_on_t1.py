"""constraints 5 on t1

Revision ID: 490a28524669
Revises: 35fded7cb9ae
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '490a28524669'
down_revision: Union[str, None] = '35fded7cb9ae'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t1_amount_5', 't1', 'amount >= 0')
    op.create_unique_constraint('uq_t1_name_5', 't1', ['name', 'created_at'])
    op.create_index('ix_t1_name_amount_5', 't1', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t1_name_amount_5', table_name='t1')
    op.drop_constraint('uq_t1_name_5', 't1', type_='unique')
    op.drop_constraint('ck_t1_amount_5', 't1', type_='check')
