"""Security headers on every response, Secure cookies over HTTPS, and the reverse-proxy setting.

- Content-Security-Policy: scripts, styles, images, fonts and fetches from this origin only (htmx
  is vendored under /static, the templates hold no inline script, style or event handler, and
  htmx runs with allowEval=false); no plugins, no <base>, forms post here, no framing.
- X-Frame-Options DENY (older browsers), X-Content-Type-Options nosniff, Referrer-Policy
  same-origin (search words never leak to other sites), Permissions-Policy denying sensors.
- HTTPS: a request that arrived over HTTPS gets Strict-Transport-Security and Secure cookies.
  Behind a TLS-terminating proxy, set $SEARCHAPP_PROXY_FIX to the number of proxies in front (1
  for one nginx): werkzeug's ProxyFix then trusts their X-Forwarded-For/-Proto/-Host, so the
  scheme, the client address (rate limits) and the host are the real ones. Never set it when
  clients can reach the server directly: they could forge those headers. Without it the
  headers are ignored, by gunicorn (server.py) and by the app (IgnoreForwarded).
  $SEARCHAPP_SECURE_COOKIES=1 marks cookies Secure whatever the scheme (auth.py).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"


def add_headers(response: Response) -> Response:
    """Set the security headers (a view may have set a stricter one already)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class IgnoreForwarded:
    """Without the proxy setting, X-Forwarded-* and Forwarded headers are dropped before the app
    (or any library) can read them: a client cannot claim HTTPS, another address or host."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_") or k == "HTTP_FORWARDED"]:
            del environ[key]
        return self.app(environ, start_response)


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when configured so, and on any request over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Any) -> None:
    """Trust $SEARCHAPP_PROXY_FIX proxies (or PROXY_FIX in test_config); add the headers."""
    proxies = int(app.config.get("PROXY_FIX") or os.environ.get("SEARCHAPP_PROXY_FIX") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    else:
        app.wsgi_app = IgnoreForwarded(app.wsgi_app)
    app.session_interface = SessionInterface()
    app.after_request(add_headers)
