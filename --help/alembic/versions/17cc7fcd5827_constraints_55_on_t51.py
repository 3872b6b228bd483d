"""constraints 55 on t51

Revision ID: 17cc7fcd5827
Revises: 8768be7bc7fb
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '17cc7fcd5827'
down_revision: Union[str, None] = '8768be7bc7fb'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t51_amount_55', 't51', 'amount >= 0')
    op.create_unique_constraint('uq_t51_name_55', 't51', ['name', 'created_at'])
    op.create_index('ix_t51_name_amount_55', 't51', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t51_name_amount_55', table_name='t51')
    op.drop_constraint('uq_t51_name_55', 't51', type_='unique')
    op.drop_constraint('ck_t51_amount_55', 't51', type_='check')
