"""One Chromium per test module, started again when it has died.

A crashed browser process (seen once in a loaded CI run: every later test of the module failed
with TargetClosedError at its first call) is not the app under test: the next test gets a new
browser, and tests/conftest.py runs a browser test once more when the browser closed under it.
Playwright is imported only when a module asks for a browser (browser tests skip cleanly
without it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.web_helpers import LAUNCH_ARGS


class Chromium:
    """The module's browser: launched on first use and again after a crash."""

    def __init__(self, playwright: Any, executable: str | None) -> None:
        self.playwright = playwright
        self.executable = executable
        self._browser: Any = None

    def get(self) -> Any:
        if self._browser is None or not self._browser.is_connected():
            self._browser = self.playwright.chromium.launch(executable_path=self.executable,
                                                            args=LAUNCH_ARGS)
        return self._browser

    def close(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            self._browser.close()


def module_chromium(executable: str | None) -> Iterator[Chromium]:
    """Yield a Chromium for a module-scoped fixture, closed at the module's end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = Chromium(p, executable)
        try:
            yield chromium
        finally:
            chromium.close()
