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


@mygov_cli.command("graph-check")
def graph_check_command() -> None:
    """Get an app token and say which required application permissions it lacks."""
    from app.graph import GraphError
    from app.graph.permissions import REQUIRED_APP_PERMISSIONS, missing_permissions
    from app.microsoft import graph_client

    try:
        missing = missing_permissions(graph_client())
    except GraphError as error:
        click.echo(f"Could not get an app token from {current_app.config['ENTRA_AUTHORITY_HOST']}: {error}")
        raise SystemExit(2) from error
    for name, why in REQUIRED_APP_PERMISSIONS.items():
        click.echo(f"{'MISSING' if name in missing else 'ok':8} {name:22} {why}")
    if missing:
        click.echo(f"{len(missing)} application permission(s) missing: grant them and give admin consent.")
        raise SystemExit(1)
    click.echo("All required application permissions are granted.")


@mygov_cli.command("doctor")
def doctor_command() -> None:
    """Check configuration, database, Redis, workers, Graph and the mail sender."""
    from app.doctor import diagnose

    findings = diagnose(current_app._get_current_object())  # type: ignore[attr-defined]
    for finding in findings:
        click.echo(f"{'ok' if finding.ok else 'PROBLEM':8} {finding.check:14} {finding.detail}")
    problems = [f for f in findings if not f.ok]
    click.echo(f"{len(problems)} problem(s) found." if problems else "Everything MyGov needs is working.")
    if problems:
        raise SystemExit(1)
