"""add status_9 to t6

Revision ID: d9dde47b0be0
Revises: 8722a2b2059a
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'd9dde47b0be0'
down_revision: Union[str, None] = '8722a2b2059a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_9')
    status.create(op.get_bind())
    op.add_column('t6', sa.Column('status_9', postgresql.ENUM(name='status_9', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t6', 'status_9')
    op.execute('DROP TYPE status_9')
