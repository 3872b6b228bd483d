"""constraints 75 on t71

Revision ID: 262e8dcac569
Revises: 4886c164f428
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '262e8dcac569'
down_revision: Union[str, None] = '4886c164f428'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_check_constraint('ck_t71_amount_75', 't71', 'amount >= 0')
    op.create_unique_constraint('uq_t71_name_75', 't71', ['name', 'created_at'])
    op.create_index('ix_t71_name_amount_75', 't71', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t71_name_amount_75', table_name='t71')
    op.drop_constraint('uq_t71_name_75', 't71', type_='unique')
    op.drop_constraint('ck_t71_amount_75', 't71', type_='check')
