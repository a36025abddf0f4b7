"""The notification URL Graph posts to, and the ops screen of subscriptions."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select

from app.access.permissions import requires
from app.extensions import csrf, db
from app.subscriptions import services
from app.subscriptions.models import GraphSubscription

notifications_bp = Blueprint("graph_notifications", __name__)
subscriptions_ops_bp = Blueprint("subscriptions_ops", __name__, url_prefix="/staff/ops")


@notifications_bp.post("/graph/notifications")
@csrf.exempt
def receive() -> Response:
    """Graph's validation handshake, then batches of notifications: always answered at once."""
    token = request.args.get("validationToken")
    if token is not None:  # already URL-decoded; echoed as plain text, never as HTML
        return Response(token, status=200, mimetype="text/plain")
    services.accept_notifications(request.get_json(silent=True))
    return Response(status=202)


@subscriptions_ops_bp.get("/subscriptions")
@requires("platform.admin")
def subscriptions():
    rows = db.session.scalars(select(GraphSubscription).order_by(GraphSubscription.purpose, GraphSubscription.target))
    return render_template("subscriptions/subscriptions.html", subscriptions=list(rows), mode=services.mode())
