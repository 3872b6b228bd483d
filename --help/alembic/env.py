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
