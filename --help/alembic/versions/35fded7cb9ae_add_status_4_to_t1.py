"""add status_4 to t1

Revision ID: 35fded7cb9ae
Revises: 0a7a9f9f71da
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '35fded7cb9ae'
down_revision = '0a7a9f9f71da'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_4')
    status.create(op.get_bind())
    op.add_column('t1', sa.Column('status_4', postgresql.ENUM(name='status_4', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t1', 'status_4')
    op.execute('DROP TYPE status_4')
