"""MyGov Platform: the application factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask

from app.config import INSTANCE_DIR, PROJECT_ROOT, load_config
from app.extensions import csrf, db, htmx, limiter, login_manager, migrate
from app.web.observability import configure_logging


def create_app(**overrides: Any) -> Flask:
    """Build the app from the environment; `overrides` replace settings (tests use this)."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    config = load_config(**overrides)
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    configure_logging(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table is known to SQLAlchemy and Alembic)
    from app.auth import session  # noqa: F401  (registers the user loader)
    from app.jobs import graph_operations  # noqa: F401  (outbox operation handlers)
    from app.jobs.actions import load_actions

    load_actions()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page is the provider's; a flash would outlive it

    from app.auth.oidc import init_oidc

    init_oidc(app)

    from app.web.input_guard import install_input_guard
    from app.web.observability import install_request_tracking
    from app.web.security import install_security_headers

    from app.web.proxies import install_trusted_proxies

    install_security_headers(app)
    install_request_tracking(app)
    install_input_guard(app)
    install_trusted_proxies(app)


def _register_blueprints(app: Flask) -> None:
    from app.web.errors import register_error_pages
    from app.web.views import health_bp, public_bp, staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(health_bp)
    from app.web.observability import metrics_bp

    app.register_blueprint(metrics_bp)
    from app.jobs.views import ops_bp

    app.register_blueprint(ops_bp)
    from app.access.holder_views import holders_bp
    from app.access.seeding_views import seeding_bp
    from app.mail.views import mail_admin_bp

    app.register_blueprint(holders_bp)
    app.register_blueprint(seeding_bp)
    app.register_blueprint(mail_admin_bp)
    from app.subscriptions.views import notifications_bp, subscriptions_ops_bp

    app.register_blueprint(notifications_bp)
    app.register_blueprint(subscriptions_ops_bp)
    from app.access.audit_views import audit_bp
    from app.access.group_views import groups_bp
    from app.access.permissions import MissingPermission
    from app.access.views import access_bp, forbidden_page
    from app.auth.views import auth_bp
    from app.calendars.public_views import calendars_bp
    from app.calendars.mailbox_views import publishing_mailboxes_bp
    from app.calendars.revision_views import calendar_revisions_bp
    from app.calendars.outlook_views import outlook_bp
    from app.calendars.staff_views import calendar_staff_bp
    from app.people.views import directory_bp, employees_bp
    from app.reservations.confirm_views import reservation_confirm_bp
    from app.reservations.public_views import reservations_bp
    from app.reservations.bulk_views import reservation_bulk_bp
    from app.reservations.desk_views import reservation_desk_bp
    from app.reservations.move_views import move_bp
    from app.reservations.my_reservations import my_reservations_bp
    from app.reservations.series_views import series_bp
    from app.reservations.staff_booking import staff_booking_bp
    from app.reservations.staff_views import reservation_staff_bp
    from app.facilities.views import facilities_bp

    for blueprint in (auth_bp, calendars_bp, calendar_staff_bp, access_bp, groups_bp, audit_bp, directory_bp, employees_bp, reservations_bp,
                      reservation_staff_bp, facilities_bp, outlook_bp, publishing_mailboxes_bp,
                      calendar_revisions_bp, reservation_desk_bp, staff_booking_bp, reservation_bulk_bp, move_bp,
                      series_bp, my_reservations_bp, reservation_confirm_bp):
        app.register_blueprint(blueprint)
    register_error_pages(app)
    app.register_error_handler(MissingPermission, forbidden_page)

    from app.web.templating import install_template_helpers

    install_template_helpers(app)


def _register_cli(app: Flask) -> None:
    from app.cli import mygov_cli

    app.cli.add_command(mygov_cli)
