"""add status_64 to t61

Revision ID: 8066c3382526
Revises: dbbbea36edf2
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8066c3382526'
down_revision = 'dbbbea36edf2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_64')
    status.create(op.get_bind())
    op.add_column('t61', sa.Column('status_64', postgresql.ENUM(name='status_64', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t61', 'status_64')
    op.execute('DROP TYPE status_64')
