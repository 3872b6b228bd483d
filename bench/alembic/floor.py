"""Benchmark floor (b): up, down, up of every revision in ONE Python process on ONE connection.

Usage: floor.py PROJECT URL

PROJECT holds alembic.ini; URL is a SQLAlchemy or libpq URL of an empty database (a
postgresql+asyncpg URL is run through psycopg2). Each step runs exactly one revision through
Alembic's API (EnvironmentContext with the revision list of that step, one transaction per
revision, the project's env.py not involved), with no checks: the least any tool driving Alembic
revisions can spend. Prints the total and the per-step time in ms.
"""
import os
import sys
import time

start = time.perf_counter()

from alembic.config import Config  # noqa: E402 (imports are part of what is timed)
from alembic.runtime.environment import EnvironmentContext  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import create_engine, pool  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: floor.py PROJECT URL")
    project, url = sys.argv[1], sys.argv[2]
    url = url.replace("+asyncpg", "+psycopg2").replace("postgres://", "postgresql://", 1)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    config = Config(os.path.join(project, "alembic.ini"))
    script = ScriptDirectory.from_config(config)
    order = list(reversed(list(script.walk_revisions())))  # parents first

    # future=True: SQLAlchemy 2.0 behaviour (explicit commit) on 1.4 as well; 2.0 accepts it.
    engine = create_engine(url, poolclass=pool.NullPool, future=True)
    connection = engine.connect()

    def step(revs_for):
        def fn(heads, context):
            return revs_for(heads)

        with EnvironmentContext(config, script, fn=fn) as env:
            env.configure(connection=connection, transaction_per_migration=True)
            with env.begin_transaction():
                env.run_migrations()
        # SQLAlchemy 2.0 autobegins: never leave the connection idle in a transaction.
        if connection.in_transaction():
            connection.commit()

    steps_start = time.perf_counter()
    for rev in order:
        down_to = rev.down_revision or "base"
        step(lambda heads: script._upgrade_revs(rev.revision, heads))
        step(lambda heads: script._downgrade_revs(down_to, heads))
        step(lambda heads: script._upgrade_revs(rev.revision, heads))
    steps_ms = (time.perf_counter() - steps_start) * 1000
    connection.close()
    engine.dispose()
    total_ms = (time.perf_counter() - start) * 1000
    steps = 3 * len(order)
    print(f"floor: {len(order)} revisions, {steps} steps, total {total_ms:.0f} ms "
          f"(steps {steps_ms:.0f} ms, {steps_ms / steps:.1f} ms/step)")


if __name__ == "__main__":
    main()
