"""constraints 45 on t41

Revision ID: 76cdc715456f
Revises: a036aa9a710f
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '76cdc715456f'
down_revision: Union[str, None] = 'a036aa9a710f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t41_amount_45', 't41', 'amount >= 0')
    op.create_unique_constraint('uq_t41_name_45', 't41', ['name', 'created_at'])
    op.create_index('ix_t41_name_amount_45', 't41', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t41_name_amount_45', table_name='t41')
    op.drop_constraint('uq_t41_name_45', 't41', type_='unique')
    op.drop_constraint('ck_t41_amount_45', 't41', type_='check')
