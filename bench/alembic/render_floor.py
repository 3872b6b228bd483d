"""The floor of Alembic lint: start Python, import Alembic and SQLAlchemy, render every revision
of a project offline, up and down, with the PostgreSQL dialect (what any tool reading Alembic
revisions as SQL must do at least). Prints the number of revisions it rendered.
Usage: render_floor.py PROJECT_DIR"""
import importlib.util
import io
import os
import sys

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

versions = os.path.join(sys.argv[1], "alembic", "versions")
count = 0
for name in sorted(os.listdir(versions)):
    if not name.endswith(".py"):
        continue
    path = os.path.join(versions, name)
    spec = importlib.util.spec_from_file_location("rev_" + name[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for fn in (module.upgrade, module.downgrade):
        context = MigrationContext.configure(
            dialect_name="postgresql", dialect_opts={"paramstyle": "named"},
            opts={"as_sql": True, "output_buffer": io.StringIO(), "transactional_ddl": True})
        try:
            with Operations.context(context):
                fn()
        except Exception:
            pass
    count += 1
print(count)
