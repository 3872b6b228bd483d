"""merge sessions and profile fields

Revision ID: e0b9d4c7a251
Revises: b27f0c9e4a13, c6a15d3f8e92
Create Date: 2024-03-12 08:55:10.067391

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e0b9d4c7a251'
down_revision: Union[str, None] = ('b27f0c9e4a13', 'c6a15d3f8e92')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
