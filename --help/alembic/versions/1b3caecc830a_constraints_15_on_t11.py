"""constraints 15 on t11

Revision ID: 1b3caecc830a
Revises: 6eb97b7bbb49
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '1b3caecc830a'
down_revision: Union[str, None] = '6eb97b7bbb49'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t11_amount_15', 't11', 'amount >= 0')
    op.create_unique_constraint('uq_t11_name_15', 't11', ['name', 'created_at'])
    op.create_index('ix_t11_name_amount_15', 't11', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t11_name_amount_15', table_name='t11')
    op.drop_constraint('uq_t11_name_15', 't11', type_='unique')
    op.drop_constraint('ck_t11_amount_15', 't11', type_='check')
