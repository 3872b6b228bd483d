"""add user profile fields

Revision ID: c6a15d3f8e92
Revises: 8d4e2a61c5b7
Create Date: 2024-03-11 14:21:58.330712

"""
# The three columns go in one after the other under one ACCESS EXCLUSIVE lock: catalog-only
# changes, milliseconds each. The backfill below runs under that lock too; users is small.
# stairway:ignore-file statements-after-strong-lock users is small, the backfill takes milliseconds
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
    # column becomes required. users held a few hundred rows when this shipped: the backfill
    # and the NOT NULL check take milliseconds inside this one transaction (stairway lint
    # would ask for a batched backfill and a NOT VALID check on a big table).
    bind = op.get_bind()
    # stairway:ignore backfill-in-ddl-migration users is small, see above
    bind.execute(sa.text(
        "UPDATE users SET display_name = split_part(email, '@', 1) WHERE display_name IS NULL"
    ))
    op.alter_column('users', 'display_name', existing_type=sa.Text(), nullable=False)  # stairway:ignore set-not-null-scan users is small


def downgrade() -> None:
    op.drop_column('users', 'timezone')
    op.drop_column('users', 'bio')
    op.drop_column('users', 'display_name')
