"""add status_34 to t31

Revision ID: a9b56a5265fd
Revises: 0f19ec8049b9
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a9b56a5265fd'
down_revision = '0f19ec8049b9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_34')
    status.create(op.get_bind())
    op.add_column('t31', sa.Column('status_34', postgresql.ENUM(name='status_34', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t31', 'status_34')
    op.execute('DROP TYPE status_34')
