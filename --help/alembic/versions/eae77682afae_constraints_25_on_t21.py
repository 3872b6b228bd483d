"""constraints 25 on t21

Revision ID: eae77682afae
Revises: e95dd9d13def
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'eae77682afae'
down_revision: Union[str, None] = 'e95dd9d13def'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t21_amount_25', 't21', 'amount >= 0')
    op.create_unique_constraint('uq_t21_name_25', 't21', ['name', 'created_at'])
    op.create_index('ix_t21_name_amount_25', 't21', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t21_name_amount_25', table_name='t21')
    op.drop_constraint('uq_t21_name_25', 't21', type_='unique')
    op.drop_constraint('ck_t21_amount_25', 't21', type_='check')
