"""constraints 100 on t96

Revision ID: 25dc90044e6b
Revises: d5c566da65b1
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '25dc90044e6b'
down_revision = 'd5c566da65b1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t96_amount_100', 't96', 'amount >= 0')
    op.create_unique_constraint('uq_t96_name_100', 't96', ['name', 'created_at'])
    op.create_index('ix_t96_name_amount_100', 't96', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t96_name_amount_100', table_name='t96')
    op.drop_constraint('uq_t96_name_100', 't96', type_='unique')
    op.drop_constraint('ck_t96_amount_100', 't96', type_='check')
