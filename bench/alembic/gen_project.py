"""Writes an N-revision Alembic project for the benchmarks (stdlib only).

Usage: gen_project.py [N=100] OUT_DIR

A linear history cycling through five kinds of revision: a table with a foreign key to the
previous one and indexes; an added column with a partial index; a table with an sa.Enum column
(type created by create_table, dropped in downgrade); an enum column added to an existing table
(type created and dropped explicitly); a check and a unique constraint with a composite index.
Every downgrade undoes its upgrade exactly. Half the files use the typed revision header.
OUT_DIR gets alembic.ini and a minimal sync env.py reading DATABASE_URL.
"""
import hashlib
import os
import shutil
import sys

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/alembic
prepend_sys_path = .
sqlalchemy.url = driver://user:pass@localhost/dbname

[loggers]
keys = root

[handlers]
keys =

[formatters]
keys =

[logger_root]
level = WARN
handlers =
"""

ENV_PY = '''\
"""Minimal sync env.py: DATABASE_URL, or a connection handed in via config.attributes."""
import os

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def url():
    return os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run(connection):
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run(config.attributes["connection"])
else:
    engine = create_engine(url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()
'''

PLAIN_HEADER = '''\
"""{message}

Revision ID: {rev}
Revises: {down_text}
Create Date: 2024-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None
'''

TYPED_HEADER = '''\
"""{message}

Revision ID: {rev}
Revises: {down_text}
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
'''


def body(lines):
    return "\n".join("    " + line for line in lines) if lines else "    pass"


def revision(i, last_table):
    """Returns (message, upgrade lines, downgrade lines, the table later revisions extend)."""
    kind = i % 5
    parent_fk = []
    if last_table:
        parent_fk = [f"    sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('{last_table}.id',"
                     " ondelete='CASCADE'), nullable=False),"]
    if kind == 1:
        t = f"t{i}"
        up = [f"op.create_table('{t}',",
              "    sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),",
              "    sa.Column('name', sa.Text(), nullable=False),",
              "    sa.Column('amount', sa.Numeric(12, 2), server_default='0', nullable=False),",
              *parent_fk,
              "    sa.Column('created_at', sa.DateTime(timezone=True),"
              " server_default=sa.text('now()'), nullable=False),",
              ")",
              f"op.create_index('ix_{t}_created_at', '{t}', ['created_at'])"]
        down = [f"op.drop_index('ix_{t}_created_at', table_name='{t}')", f"op.drop_table('{t}')"]
        if last_table:
            up.append(f"op.create_index('ix_{t}_parent_id', '{t}', ['parent_id'])")
            down.insert(0, f"op.drop_index('ix_{t}_parent_id', table_name='{t}')")
        return f"create {t}", up, down, t
    t = last_table
    if kind == 2:
        up = [f"op.add_column('{t}', sa.Column('note_{i}', sa.Text(), nullable=True))",
              f"op.create_index('ix_{t}_note_{i}', '{t}', ['note_{i}'],"
              f" postgresql_where=sa.text('note_{i} IS NOT NULL'))"]
        down = [f"op.drop_index('ix_{t}_note_{i}', table_name='{t}')",
                f"op.drop_column('{t}', 'note_{i}')"]
        return f"add note_{i} to {t}", up, down, t
    if kind == 3:
        # create_table creates the enum type; drop_table does not drop it.
        e = f"t{i}_events"
        up = [f"op.create_table('{e}',",
              "    sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),",
              f"    sa.Column('{t}_id', sa.BigInteger(), sa.ForeignKey('{t}.id',"
              " ondelete='CASCADE'), nullable=False),",
              f"    sa.Column('kind', sa.Enum('created', 'updated', 'deleted', name='event_kind_{i}'),"
              " nullable=False),",
              ")",
              f"op.create_index('ix_{e}_{t}_id', '{e}', ['{t}_id'])"]
        down = [f"op.drop_index('ix_{e}_{t}_id', table_name='{e}')", f"op.drop_table('{e}')",
                f"sa.Enum(name='event_kind_{i}').drop(op.get_bind())"]
        return f"create {e}", up, down, t
    if kind == 4:
        up = [f"status = postgresql.ENUM('new', 'active', 'closed', name='status_{i}')",
              "status.create(op.get_bind())",
              f"op.add_column('{t}', sa.Column('status_{i}',"
              f" postgresql.ENUM(name='status_{i}', create_type=False),"
              " server_default='new', nullable=False))"]
        down = [f"op.drop_column('{t}', 'status_{i}')", f"op.execute('DROP TYPE status_{i}')"]
        return f"add status_{i} to {t}", up, down, t
    up = [f"op.create_check_constraint('ck_{t}_amount_{i}', '{t}', 'amount >= 0')",
          f"op.create_unique_constraint('uq_{t}_name_{i}', '{t}', ['name', 'created_at'])",
          f"op.create_index('ix_{t}_name_amount_{i}', '{t}', ['name', 'amount'])"]
    down = [f"op.drop_index('ix_{t}_name_amount_{i}', table_name='{t}')",
            f"op.drop_constraint('uq_{t}_name_{i}', '{t}', type_='unique')",
            f"op.drop_constraint('ck_{t}_amount_{i}', '{t}', type_='check')"]
    return f"constraints {i} on {t}", up, down, t


def main():
    args = sys.argv[1:]
    if (len(args) not in (1, 2) or (len(args) == 2 and not args[0].isdigit())
            or args[-1].startswith("-")):
        sys.exit("usage: gen_project.py [N=100] OUT_DIR")
    n = int(args[0]) if len(args) == 2 else 100
    out = args[-1]
    shutil.rmtree(out, ignore_errors=True)
    versions = os.path.join(out, "alembic", "versions")
    os.makedirs(versions)
    with open(os.path.join(out, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(out, "alembic", "env.py"), "w") as f:
        f.write(ENV_PY)

    down, last_table = None, None
    for i in range(1, n + 1):
        rev = hashlib.sha1(f"bench-{i}".encode()).hexdigest()[:12]
        message, up, down_lines, last_table = revision(i, last_table)
        header = TYPED_HEADER if i % 2 else PLAIN_HEADER
        text = header.format(message=message, rev=rev, down=down, down_text=down or "")
        text += (f"\n\ndef upgrade() -> None:\n{body(up)}\n\n\n"
                 f"def downgrade() -> None:\n{body(down_lines)}\n")
        slug = message.replace(" ", "_")
        with open(os.path.join(versions, f"{rev}_{slug}.py"), "w") as f:
            f.write(text)
        down = rev
    print(f"{n} revisions in {out}")


if __name__ == "__main__":
    main()
