"""add status_19 to t16

Revision ID: 129332d7fae7
Revises: 4e7e94465226
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '129332d7fae7'
down_revision: Union[str, None] = '4e7e94465226'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_19')
    status.create(op.get_bind())
    op.add_column('t16', sa.Column('status_19', postgresql.ENUM(name='status_19', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t16', 'status_19')
    op.execute('DROP TYPE status_19')
