"""Log lines that a client cannot forge: control characters in anything logged are escaped.

A request for `/doc/x%0AFORGED%20LINE%1B%5B31m` used to write a second, forged line and a raw
terminal escape into the access log. Every log line now shows such characters as `\\xNN` (or
`\\uNNNN`): in gunicorn's access and error logs (server.py) and in the app's own loggers.
"""

from __future__ import annotations

import logging
from typing import Any

from .ingest.records import escape_controls


def escaped(value: Any) -> Any:
    """value escaped when it is text (bytes are shown as their repr, which escapes already)."""
    return escape_controls(value) if isinstance(value, str) else value


class EscapeControls(logging.Filter):
    """Rewrite each record's message with its control characters escaped (a traceback, added
    by the formatter after this, keeps its own lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = escape_controls(message)
        if safe is not message:
            record.msg, record.args = safe, None
        return True


def guard(handler: logging.Handler) -> None:
    """Add the escaping filter to handler once."""
    if not any(isinstance(f, EscapeControls) for f in handler.filters):
        handler.addFilter(EscapeControls())
