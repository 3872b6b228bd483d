"""add status_14 to t11

Revision ID: 6eb97b7bbb49
Revises: bebbedbc80bd
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '6eb97b7bbb49'
down_revision = 'bebbedbc80bd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_14')
    status.create(op.get_bind())
    op.add_column('t11', sa.Column('status_14', postgresql.ENUM(name='status_14', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t11', 'status_14')
    op.execute('DROP TYPE status_14')
