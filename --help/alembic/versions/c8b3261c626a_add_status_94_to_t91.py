"""add status_94 to t91

Revision ID: c8b3261c626a
Revises: 5e80bf5ed2d3
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'c8b3261c626a'
down_revision = '5e80bf5ed2d3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_94')
    status.create(op.get_bind())
    op.add_column('t91', sa.Column('status_94', postgresql.ENUM(name='status_94', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t91', 'status_94')
    op.execute('DROP TYPE status_94')
