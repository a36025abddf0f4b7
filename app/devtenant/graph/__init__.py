"""The Microsoft Graph v1.0 subset MyGov uses, under `/v1.0` (and a little beta under `/beta`)."""

from __future__ import annotations

from flask import Blueprint

from app.devtenant.graph import (
    batch,
    calendar,
    calendar_delta,
    delta,
    groups,
    mail,
    places,
    schedule,
    sites,
    subscriptions,
    users,
)
from app.devtenant.pipeline import guard_graph_request


def graph_blueprint() -> Blueprint:
    graph = Blueprint("graph", __name__, url_prefix="/v1.0")
    graph.before_request(guard_graph_request)
    areas = (users, delta, groups, calendar, calendar_delta, schedule, places, mail, sites, subscriptions, batch)
    for area in areas:
        graph.register_blueprint(area.blueprint)
    return graph


def graph_beta_blueprint() -> Blueprint:
    """The few beta endpoints MyGov relies on: creating a room with a chosen address (contract §7.3)."""
    beta = Blueprint("graph_beta", __name__, url_prefix="/beta")
    beta.before_request(guard_graph_request)
    beta.register_blueprint(places.beta_blueprint)
    return beta
