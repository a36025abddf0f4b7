"""Security headers on every response. Pages carry no inline script or style, so the CSP is strict."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

PRIVATE_PREFIXES = ("/staff/", "/auth/", "/reservations/manage/")


def content_security_policy(app: Flask) -> str:
    """Forms post to this site only; the sign-out form's redirect goes on to the identity provider."""
    parts = urlsplit(app.config.get("OIDC_METADATA_URL") or "")
    if not parts.scheme:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}"
    )


def install_security_headers(app: Flask) -> None:
    production = app.config["MYGOV_ENV"] == "production"
    policy = content_security_policy(app)

    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith(PRIVATE_PREFIXES):
            # A staff page (or a citizen's own booking) stays out of shared and browser caches:
            # the back button after sign-out on a library PC must not show it again.
            headers["Cache-Control"] = "no-store"
        return response
