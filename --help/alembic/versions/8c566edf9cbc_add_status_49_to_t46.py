"""add status_49 to t46

Revision ID: 8c566edf9cbc
Revises: 2d2099dffd6b
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '8c566edf9cbc'
down_revision: Union[str, None] = '2d2099dffd6b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    status = postgresql.ENUM('new', 'active', 'closed', name='status_49')
    status.create(op.get_bind())
    op.add_column('t46', sa.Column('status_49', postgresql.ENUM(name='status_49', create_type=False), server_default='new', nullable=False))


def downgrade() -> None:
    op.drop_column('t46', 'status_49')
    op.execute('DROP TYPE status_49')
