"""add user profile fields

Revision ID: c6a15d3f8e92
Revises: 8d4e2a61c5b7
Create Date: 2024-03-11 14:21:58.330712

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c6a15d3f8e92'
down_revision: Union[str, None] = '8d4e2a61c5b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('users', sa.Column('display_name', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('bio', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('timezone', sa.Text(), server_default=sa.text("'UTC'"), nullable=False))

    # Existing accounts get the local part of their email as display name, then the
    # column becomes required.
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE users SET display_name = split_part(email, '@', 1) WHERE display_name IS NULL"
    ))
    op.alter_column('users', 'display_name', existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    op.drop_column('users', 'timezone')
    op.drop_column('users', 'bio')
    op.drop_column('users', 'display_name')
