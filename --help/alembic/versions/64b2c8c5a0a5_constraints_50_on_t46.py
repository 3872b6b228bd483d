"""constraints 50 on t46

Revision ID: 64b2c8c5a0a5
Revises: 8c566edf9cbc
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '64b2c8c5a0a5'
down_revision = '8c566edf9cbc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_check_constraint('ck_t46_amount_50', 't46', 'amount >= 0')
    op.create_unique_constraint('uq_t46_name_50', 't46', ['name', 'created_at'])
    op.create_index('ix_t46_name_amount_50', 't46', ['name', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_t46_name_amount_50', table_name='t46')
    op.drop_constraint('uq_t46_name_50', 't46', type_='unique')
    op.drop_constraint('ck_t46_amount_50', 't46', type_='check')
