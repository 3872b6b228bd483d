"""add note_72 to t71

Revision ID: a466eb37dbf8
Revises: 4a47ff21ffd4
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'a466eb37dbf8'
down_revision = '4a47ff21ffd4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('t71', sa.Column('note_72', sa.Text(), nullable=True))
    op.create_index('ix_t71_note_72', 't71', ['note_72'], postgresql_where=sa.text('note_72 IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_t71_note_72', table_name='t71')
    op.drop_column('t71', 'note_72')
