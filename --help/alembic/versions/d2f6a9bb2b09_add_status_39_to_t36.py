"""add status_39 to t36

Revision ID: d2f6a9bb2b09
Revises: 559b7db281e6
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'd2f6a9bb2b09'
down_revision: Union[str, None] = '559b7db281e6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_39')
    status.create(op.get_bind())
    op.add_column('t36', sa.Column('status_39', postgresql.ENUM(name='status_39', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t36', 'status_39')
    op.execute('DROP TYPE status_39')
