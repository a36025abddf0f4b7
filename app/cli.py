"""`flask mygov ...` commands."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

mygov_cli = AppGroup("mygov", help="MyGov platform commands.")


@mygov_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo city (idempotent: running it twice changes nothing)."""
    from app.demo.services import seed_demo

    created = seed_demo(current_app.config["ENTRA_TENANT_ID"], current_app.config["CITY_TIMEZONE"])
    summary = ", ".join(f"{count} {name}" for name, count in created.items())
    click.echo(f"Demo city loaded ({summary} created).")


@mygov_cli.command("sync-roles")
def sync_roles_command() -> None:
    """Write the module and role registry to the database."""
    from app.access.services import sync_registry

    sync_registry()
    db.session.commit()
    click.echo("Modules and roles are up to date.")
