"""Alembic environment for Flask-Migrate: batch mode on SQLite, type comparison on."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from app.sqltypes import UTCDateTime

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Render project types as plain SQLAlchemy types so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure_args(connection=None, url=None):
    def process_revision_directives(ctx, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", process_revision_directives)
    dialect = connection.dialect.name if connection is not None else url.split(":")[0]
    args.update(
        target_metadata=target_db.metadata,
        render_as_batch=dialect.startswith("sqlite"),
        compare_type=True,
        render_item=render_item,
    )
    return args


def run_migrations_offline():
    url = str(target_db.engine.url)
    context.configure(url=url, literal_binds=True, **configure_args(url=url))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, **configure_args(connection=connection))
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
