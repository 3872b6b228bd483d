"""add status_69 to t66

Revision ID: e7e6b4565a05
Revises: 2c9eb8c4f480
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'e7e6b4565a05'
down_revision: Union[str, None] = '2c9eb8c4f480'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_69')
    status.create(op.get_bind())
    op.add_column('t66', sa.Column('status_69', postgresql.ENUM(name='status_69', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t66', 'status_69')
    op.execute('DROP TYPE status_69')
