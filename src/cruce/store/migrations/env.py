"""Alembic's environment for cruce: the URL from the settings unless the caller gives one.

``cruce.store.migrations_api`` passes an open connection in ``config.attributes``;
``alembic`` on the command line uses ``sqlalchemy.url`` from ``alembic.ini`` when set,
else ``CRUCE_DATABASE_URL`` / the SQLite file of the data directory.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import TYPE_CHECKING, Any, Literal

from alembic import context
from sqlalchemy.pool import NullPool

from cruce.config import get_settings
from cruce.store.db import make_engine, normalise_url
from cruce.store.models import Base
from cruce.store.models.base import UTCDateTime

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().sqlalchemy_url()


def _render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    # the zone-aware column is plain TIMESTAMP WITH TIME ZONE in the database
    del autogen_context
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "render_as_batch": dialect_name == "sqlite",
        "render_item": _render_item,
    }


def run_migrations_offline() -> None:
    """Write the SQL instead of running it."""
    url = normalise_url(_url())
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **_options(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url(), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **_options(connection.dialect.name))
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
