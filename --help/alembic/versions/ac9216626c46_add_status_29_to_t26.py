"""add status_29 to t26

Revision ID: ac9216626c46
Revises: 57402f9453ff
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'ac9216626c46'
down_revision: Union[str, None] = '57402f9453ff'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_29')
    status.create(op.get_bind())
    op.add_column('t26', sa.Column('status_29', postgresql.ENUM(name='status_29', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t26', 'status_29')
    op.execute('DROP TYPE status_29')
