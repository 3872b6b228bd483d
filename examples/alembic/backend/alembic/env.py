"""Alembic environment of the chat backend: async (asyncpg), URL from DATABASE_URL.

DATABASE_URL comes from the environment, else from the .env file next to alembic.ini, and
replaces the placeholder sqlalchemy.url of alembic.ini.
"""
import asyncio
import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from app.models import Base

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# Autogenerate compares the database with this.
target_metadata = Base.metadata


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        env_file = Path(config.config_file_name or "alembic.ini").resolve().parent / ".env"
        if env_file.is_file():
            for line in env_file.read_text().splitlines():
                key, sep, value = line.strip().partition("=")
                if sep and key.strip() == "DATABASE_URL":
                    url = value.strip().strip("'\"")
    if not url:
        raise SystemExit("DATABASE_URL is not set (environment or backend/.env)")
    return url


# ConfigParser treats % as interpolation: a password may contain one.
config.set_main_option("sqlalchemy.url", database_url().replace("%", "%%"))


def run_migrations_offline() -> None:
    """Writes the SQL to stdout instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
