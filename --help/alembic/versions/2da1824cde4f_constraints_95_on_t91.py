"""constraints 95 on t91

Revision ID: 2da1824cde4f
Revises: c8b3261c626a
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '2da1824cde4f'
down_revision: Union[str, None] = 'c8b3261c626a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t91_amount_95', 't91', 'amount >= 0')
    op.create_unique_constraint('uq_t91_name_95', 't91', ['name', 'created_at'])
    op.create_index('ix_t91_name_amount_95', 't91', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t91_name_amount_95', table_name='t91')
    op.drop_constraint('uq_t91_name_95', 't91', type_='unique')
    op.drop_constraint('ck_t91_amount_95', 't91', type_='check')
