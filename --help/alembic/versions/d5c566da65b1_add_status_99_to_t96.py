"""add status_99 to t96

Revision ID: d5c566da65b1
Revises: c8fcab815725
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'd5c566da65b1'
down_revision: Union[str, None] = 'c8fcab815725'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_99')
    status.create(op.get_bind())
    op.add_column('t96', sa.Column('status_99', postgresql.ENUM(name='status_99', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t96', 'status_99')
    op.execute('DROP TYPE status_99')
