"""add status_84 to t81

Revision ID: 667e3e079613
Revises: d083931bc6e5
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '667e3e079613'
down_revision = 'd083931bc6e5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_84')
    status.create(op.get_bind())
    op.add_column('t81', sa.Column('status_84', postgresql.ENUM(name='status_84', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t81', 'status_84')
    op.execute('DROP TYPE status_84')
