"""index chat messages by thread and time

Revision ID: f4d8a0e3b6c9
Revises: e0b9d4c7a251
Create Date: 2024-04-02 11:07:36.482915

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'f4d8a0e3b6c9'
down_revision: Union[str, None] = 'e0b9d4c7a251'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction: the block commits what came
    # before and runs its statements in autocommit mode, so writers are never blocked.
    with op.get_context().autocommit_block():
        op.create_index(
            'ix_chat_messages_thread_id_created_at',
            'chat_messages',
            ['thread_id', 'created_at'],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            'ix_chat_messages_thread_id_created_at',
            table_name='chat_messages',
            postgresql_concurrently=True,
        )
