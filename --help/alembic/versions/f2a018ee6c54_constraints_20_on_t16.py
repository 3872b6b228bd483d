"""constraints 20 on t16

Revision ID: f2a018ee6c54
Revises: 129332d7fae7
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'f2a018ee6c54'
down_revision = '129332d7fae7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t16_amount_20', 't16', 'amount >= 0')
    op.create_unique_constraint('uq_t16_name_20', 't16', ['name', 'created_at'])
    op.create_index('ix_t16_name_amount_20', 't16', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t16_name_amount_20', table_name='t16')
    op.drop_constraint('uq_t16_name_20', 't16', type_='unique')
    op.drop_constraint('ck_t16_amount_20', 't16', type_='check')
