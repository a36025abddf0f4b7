"""Sign-in and sign-out routes: /auth/login → the provider → /auth/callback; POST /auth/logout."""
from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.access.registry import role
from app.auth import oidc
from app.auth import session as staff_session
from app.auth.services import sign_in
from app.runtime import register_redirects_with_devtenant

auth_bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)
NEXT_KEY = "auth_next"
DEFAULT_NEXT = "/staff/"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the staff home: never another origin."""
    if not target or _UNSAFE.search(target) or not target.startswith("/") or target.startswith("//"):
        return DEFAULT_NEXT
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return target


@auth_bp.get("/login")
def login() -> Response | tuple[str, int]:
    next_path = local_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path)
    session[NEXT_KEY] = next_path
    callback_url = url_for("auth.callback", _external=True)
    register_redirects_with_devtenant(current_app, callback_url, url_for("auth.signed_out", _external=True))
    try:
        return oidc.begin_sign_in(callback_url)
    except oidc.SignInRefused as refused:
        return _refused(refused)


@auth_bp.get("/callback")
def callback() -> Response | tuple[str, int]:
    next_path = local_path(session.get(NEXT_KEY))
    try:
        claims = oidc.finish_sign_in()
        result = sign_in(claims)
    except oidc.SignInRefused as refused:
        return _refused(refused)
    staff_session.begin(result.employee, result.session_token)
    if result.seeded:
        titles = ", ".join(role(name).title for name in result.seeded)
        flash(f"Roles added from your Entra groups: {titles}.", "info")
    for warning in result.warnings:
        flash(warning, "warning")
    return redirect(next_path)


def _refused(refused: oidc.SignInRefused) -> tuple[str, int]:
    log.warning("sign-in refused: %s", refused)
    session.pop(NEXT_KEY, None)
    return render_template("auth/refused.html", reason=refused.reason), refused.status


@auth_bp.post("/logout")
def logout() -> Response:
    staff_session.end()
    target = oidc.end_session_url(url_for("auth.signed_out", _external=True))
    return redirect(target or url_for("auth.signed_out"), code=303)


@auth_bp.get("/signed-out")
def signed_out() -> str:
    return render_template("auth/signed_out.html")
