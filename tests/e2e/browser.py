"""Debian's Chromium driven by Playwright (no browser download), every request it makes
recorded, axe-core run on a page, screenshots kept for review."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(
    os.environ.get("ANDROMEDE_SCREENSHOTS", Path(__file__).parents[2] / "var" / "screenshots")
)
BLOCKING = {"serious", "critical"}


@contextmanager
def chromium() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


class Recorded:
    """A browser page whose every request is kept, to prove none leaves the service."""

    def __init__(self, browser: Browser, origin: str) -> None:
        self.origin = origin
        self.context = browser.new_context(locale="fr-FR", accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))

    def elsewhere(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.origin + "/")]

    def close(self) -> None:
        self.context.close()


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    found = results.response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v.get("impact") in BLOCKING]


def screenshot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
