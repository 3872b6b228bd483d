"""add status_74 to t71

Revision ID: 4886c164f428
Revises: 3294a5fd6d76
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '4886c164f428'
down_revision = '3294a5fd6d76'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_74')
    status.create(op.get_bind())
    op.add_column('t71', sa.Column('status_74', postgresql.ENUM(name='status_74', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t71', 'status_74')
    op.execute('DROP TYPE status_74')
