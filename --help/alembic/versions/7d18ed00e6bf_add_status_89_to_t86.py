"""add status_89 to t86

Revision ID: 7d18ed00e6bf
Revises: c219639ad795
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '7d18ed00e6bf'
down_revision: Union[str, None] = 'c219639ad795'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_89')
    status.create(op.get_bind())
    op.add_column('t86', sa.Column('status_89', postgresql.ENUM(name='status_89', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t86', 'status_89')
    op.execute('DROP TYPE status_89')
