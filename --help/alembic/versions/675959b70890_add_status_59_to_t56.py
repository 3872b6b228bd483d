"""add status_59 to t56

Revision ID: 675959b70890
Revises: fb8ab7b40da0
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '675959b70890'
down_revision: Union[str, None] = 'fb8ab7b40da0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_59')
    status.create(op.get_bind())
    op.add_column('t56', sa.Column('status_59', postgresql.ENUM(name='status_59', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t56', 'status_59')
    op.execute('DROP TYPE status_59')
