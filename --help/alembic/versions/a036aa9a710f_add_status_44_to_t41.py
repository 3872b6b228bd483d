"""add status_44 to t41

Revision ID: a036aa9a710f
Revises: de4657be976b
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a036aa9a710f'
down_revision = 'de4657be976b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_44')
    status.create(op.get_bind())
    op.add_column('t41', sa.Column('status_44', postgresql.ENUM(name='status_44', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t41', 'status_44')
    op.execute('DROP TYPE status_44')
