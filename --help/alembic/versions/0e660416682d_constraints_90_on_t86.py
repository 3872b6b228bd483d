"""constraints 90 on t86

Revision ID: 0e660416682d
Revises: 7d18ed00e6bf
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0e660416682d'
down_revision = '7d18ed00e6bf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t86_amount_90', 't86', 'amount >= 0')
    op.create_unique_constraint('uq_t86_name_90', 't86', ['name', 'created_at'])
    op.create_index('ix_t86_name_amount_90', 't86', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t86_name_amount_90', table_name='t86')
    op.drop_constraint('uq_t86_name_90', 't86', type_='unique')
    op.drop_constraint('ck_t86_amount_90', 't86', type_='check')
