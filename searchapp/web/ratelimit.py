"""Abuse limits: one Flask-Limiter for the app, and one shared search budget per client address.

$SEARCHAPP_RATELIMIT sets the search budget: a `limits` string such as "600/minute" (the default)
or "off" (benchmarks, evaluation runs, tests). It covers /search, /doc/<id> and /api/* together;
document pages, original files and deep result pages (past the 500th result) also have a tighter
budget of their own (doc_limit, deep_limit, below);
/health, static files and /admin are not counted (the admin login has its own limit, auth.py).
Over the budget: 429 with Retry-After, as an HTML page or JSON (web/__init__.py).

Counts are shared by every worker of a server: they live in the instance folder's
ratelimit.sqlite (limitstore.py), so N gunicorn workers allow the budget once, not N times.
Behind a reverse proxy set $SEARCHAPP_PROXY_FIX (security.py) so the address is the client's.
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from . import limitstore
from .params import page_end

DEFAULT_SEARCH_LIMIT = "600/minute"
OFF = ("off", "0", "none", "false", "no", "")

# The storage is chosen per app in init_app (RATELIMIT_STORAGE_URI: the instance folder's file).
limiter = Limiter(get_remote_address, default_limits=[])


def search_limit_setting(value: str | None) -> str | None:
    """The search budget from a setting value: None when off; ValueError when unreadable."""
    value = DEFAULT_SEARCH_LIMIT if value is None else value.strip()
    if value.lower() in OFF:
        return None
    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError(f"SEARCHAPP_RATELIMIT={value!r} is not a rate such as "
                         f"'600/minute' or 'off'") from exc
    return value


def _budget() -> str:
    return current_app.config.get("SEARCH_RATELIMIT") or DEFAULT_SEARCH_LIMIT


def _off() -> bool:
    # Read per request: several apps in one process (tests) share the limiter but not settings.
    return not current_app.config.get("SEARCH_RATELIMIT")


search_limit = limiter.shared_limit(_budget, scope="search", exempt_when=_off)
"""Decorator for the views that share the search budget."""


# Document pages, /api/doc and original files cost more than a search (a long document is read
# whole from the index): a tighter budget of their own, so one client opening documents in a loop
# cannot take the CPU that searches need. $SEARCHAPP_DOC_RATELIMIT sets it ("off" turns it off);
# by default it is on exactly when the search budget is.
DEFAULT_DOC_LIMIT = "60/minute"


def _doc_budget() -> str:
    return current_app.config.get("DOC_RATELIMIT") or DEFAULT_DOC_LIMIT


def _doc_off() -> bool:
    return not current_app.config.get("DOC_RATELIMIT")


doc_limit = limiter.shared_limit(_doc_budget, scope="doc", exempt_when=_doc_off)
"""Decorator for the document views (also under the search budget)."""


def _file_exempt() -> bool:
    # a PDF viewer reads a large original in many Range requests: one opening counts once
    return _doc_off() or "Range" in request.headers


file_limit = limiter.shared_limit(_doc_budget, scope="doc", exempt_when=_file_exempt)
"""Decorator for /file/: the document budget, but not for a viewer's Range requests."""


# A result page is found by ranking every hit before it (copies folded, ties broken on stored
# fields): on 35k articles page 1 costs 9 ms of CPU, page 100 ~90 ms, page 999 ~0.5-0.9 s, and
# four anonymous clients paging deep took a normal search from 16 ms to 2.6 s. Pages ending past
# DEEP_RESULTS results also spend the document budget.
DEEP_RESULTS = 500


def _shallow() -> bool:
    return _doc_off() or page_end(request.args) <= DEEP_RESULTS


deep_limit = limiter.shared_limit(_doc_budget, scope="doc", exempt_when=_shallow)
"""Decorator for result pages: deep ones (past DEEP_RESULTS) also count as documents."""


def init_app(app: Any) -> None:
    """Read the search budget (test_config may set SEARCH_RATELIMIT) and attach the limiter."""
    if "SEARCH_RATELIMIT" in app.config:
        value = app.config["SEARCH_RATELIMIT"] or "off"
    else:
        value = os.environ.get("SEARCHAPP_RATELIMIT")
    app.config["SEARCH_RATELIMIT"] = search_limit_setting(value)
    if "DOC_RATELIMIT" in app.config:
        doc = app.config["DOC_RATELIMIT"] or "off"
    else:
        doc = os.environ.get("SEARCHAPP_DOC_RATELIMIT")
    if doc is None:
        doc = DEFAULT_DOC_LIMIT if app.config["SEARCH_RATELIMIT"] else "off"
    app.config["DOC_RATELIMIT"] = search_limit_setting(doc)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        from .auth import instance_dir

        folder = app.config.get("INSTANCE_DIR") or instance_dir(app.config["INDEX_DIR"])
        app.config["RATELIMIT_STORAGE_URI"] = limitstore.shared_or_memory(folder)
    limiter.init_app(app)
