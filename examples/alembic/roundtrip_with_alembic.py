"""Checks an Alembic project with the real `alembic` CLI: every revision goes up, down, up.

Usage: DATABASE_URL=postgresql+asyncpg://... python3 roundtrip_with_alembic.py BACKEND_DIR

BACKEND_DIR holds alembic.ini; the database must be empty. For each revision in topological
order the database is brought to exactly that revision's ancestors, then `alembic upgrade REV`,
`alembic downgrade <what was there before>`, `alembic upgrade REV`; `pg_dump -s` before and after
must match (alembic_version left out). Then `upgrade head`, `downgrade base`, `upgrade head` and
the schema at base must hold no application objects. Exit 1 on a difference. Runs with whichever
Alembic/SQLAlchemy the interpreter imports (PYTHONPATH picks the stack).
"""
import difflib
import os
import subprocess
import sys

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import to_tuple
from sqlalchemy.engine import make_url


def libpq_env(url_text):
    url = make_url(url_text)
    env = dict(os.environ)
    host = url.host or url.query.get("host")
    for key, value in (("PGHOST", host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


class Checker:
    def __init__(self, backend):
        self.backend = backend
        self.pg_env = libpq_env(os.environ["DATABASE_URL"])
        self.steps = 0

    def alembic(self, *args):
        self.steps += 1
        # The CLI as users run it, with this interpreter and its sys.path (PYTHONPATH).
        cmd = [sys.executable, "-c", "import sys; from alembic.config import main; main()",
               *args]
        done = subprocess.run(cmd, cwd=self.backend, capture_output=True, text=True)
        if done.returncode != 0:
            # The end of the traceback names the revision line and the server's message.
            tail = "\n".join(done.stderr.strip().splitlines()[-12:])
            sys.exit(f"alembic {' '.join(args)} failed:\n{tail}")

    def schema(self):
        dump = subprocess.run(
            ["pg_dump", "-s", "--no-owner", "--exclude-table=public.alembic_version"],
            env=self.pg_env, capture_output=True, text=True, check=True).stdout
        # Skip comments, blank lines and the per-run \restrict keys of recent pg_dump versions.
        return [line for line in dump.splitlines()
                if line and not line.startswith("--") and not line.startswith("\\")]

    def same(self, what, before, after):
        if before == after:
            return True
        print(f"DIFFERENT {what}:")
        print("\n".join(difflib.unified_diff(before, after, "before", "after", lineterm="")))
        return False


def main():
    backend = os.path.abspath(sys.argv[1])
    script = ScriptDirectory.from_config(Config(os.path.join(backend, "alembic.ini")))
    # walk_revisions() goes from the heads down; reversed, parents come first.
    order = list(reversed(list(script.walk_revisions())))
    check = Checker(backend)
    ok = True

    check.alembic("downgrade", "base")
    empty = check.schema()
    for rev in order:
        parents = list(to_tuple(rev.down_revision, default=()))
        check.alembic("downgrade", "base")
        for parent in parents:
            check.alembic("upgrade", parent)
        before = check.schema()
        check.alembic("upgrade", rev.revision)
        after_up = check.schema()
        # Downgrading to a parent removes only what descends from it: here, just this revision.
        check.alembic("downgrade", parents[0] if parents else "base")
        ok &= check.same(f"{rev.revision} up+down", before, check.schema())
        check.alembic("upgrade", rev.revision)
        ok &= check.same(f"{rev.revision} up again", after_up, check.schema())
        print(f"{rev.revision} round-trips" if ok else f"{rev.revision} FAILED")

    check.alembic("upgrade", "head")
    head = check.schema()
    check.alembic("downgrade", "base")
    ok &= check.same("base after downgrade base", empty, check.schema())
    leftovers = [line for line in check.schema() if line.startswith("CREATE")]
    if leftovers:
        print("objects left at base:", *leftovers, sep="\n  ")
        ok = False
    check.alembic("upgrade", "head")
    ok &= check.same("head after upgrade head again", head, check.schema())
    print(f"{len(order)} revisions, {check.steps} alembic commands: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
