"""add status_24 to t21

Revision ID: e95dd9d13def
Revises: b62730e9d930
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'e95dd9d13def'
down_revision = 'b62730e9d930'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_24')
    status.create(op.get_bind())
    op.add_column('t21', sa.Column('status_24', postgresql.ENUM(name='status_24', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t21', 'status_24')
    op.execute('DROP TYPE status_24')
