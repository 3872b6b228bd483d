"""add status_54 to t51

Revision ID: 8768be7bc7fb
Revises: eeedad610a59
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8768be7bc7fb'
down_revision = 'eeedad610a59'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_54')
    status.create(op.get_bind())
    op.add_column('t51', sa.Column('status_54', postgresql.ENUM(name='status_54', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t51', 'status_54')
    op.execute('DROP TYPE status_54')
