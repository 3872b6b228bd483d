"""add status_79 to t76

Revision ID: 02e620dbf404
Revises: 813ecffc7abf
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '02e620dbf404'
down_revision: Union[str, None] = '813ecffc7abf'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_79')
    status.create(op.get_bind())
    op.add_column('t76', sa.Column('status_79', postgresql.ENUM(name='status_79', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t76', 'status_79')
    op.execute('DROP TYPE status_79')
