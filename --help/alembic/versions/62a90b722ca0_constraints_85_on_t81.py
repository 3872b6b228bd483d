"""constraints 85 on t81

Revision ID: 62a90b722ca0
Revises: 667e3e079613
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '62a90b722ca0'
down_revision: Union[str, None] = '667e3e079613'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t81_amount_85', 't81', 'amount >= 0')
    op.create_unique_constraint('uq_t81_name_85', 't81', ['name', 'created_at'])
    op.create_index('ix_t81_name_amount_85', 't81', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t81_name_amount_85', table_name='t81')
    op.drop_constraint('uq_t81_name_85', 't81', type_='unique')
    op.drop_constraint('ck_t81_amount_85', 't81', type_='check')
