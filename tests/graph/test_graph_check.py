"""`flask mygov graph-check` and `flask mygov doctor` say what is missing, in plain words."""
from __future__ import annotations


def test_graph_check_passes_with_every_permission(app, tenant):
    result = app.test_cli_runner().invoke(args=["mygov", "graph-check"])
    assert result.exit_code == 0, result.output
    assert "All required application permissions are granted." in result.output


def test_graph_check_names_the_missing_permissions_and_fails(app, tenant):
    tenant.set_app_roles(["User.Read.All", "Calendars.ReadWrite"])
    result = app.test_cli_runner().invoke(args=["mygov", "graph-check"])
    assert result.exit_code == 1
    rows = [line.split() for line in result.output.splitlines() if line.startswith(("ok", "MISSING"))]
    lines = {row[1]: row[0] for row in rows}
    assert lines["Calendars.ReadWrite"] == "ok" and lines["Mail.Send"] == "MISSING"
    assert lines["Place.ReadWrite.All"] == "MISSING"


def test_graph_check_reports_a_refused_token(app, tenant):
    app.config["ENTRA_CLIENT_SECRET"] = "wrong"
    try:
        result = app.test_cli_runner().invoke(args=["mygov", "graph-check"])
    finally:
        app.config["ENTRA_CLIENT_SECRET"] = tenant.graph_config["ENTRA_CLIENT_SECRET"]
    assert result.exit_code == 2
    assert "AADSTS7000215" in result.output and "wrong" not in result.output.replace("wrong secret", "")


def test_doctor_finds_no_worker_and_says_so(app, tenant):
    app.config["EMBEDDED_QUEUE"] = False  # as with REDIS_URL: workers are separate processes
    try:
        result = app.test_cli_runner().invoke(args=["mygov", "doctor"])
    finally:
        app.config["EMBEDDED_QUEUE"] = not app.config["REDIS_URL"]
    assert result.exit_code == 1
    assert "PROBLEM  workers" in result.output and "start `python worker.py`" in result.output
    assert "ok       database" in result.output and "ok       graph" in result.output
    assert "ok       mail sender" in result.output
