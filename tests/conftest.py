"""What the tests share: small datasets, the built seed, and for the browser tests the built site served on
localhost and headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from factories import make_dataset


@pytest.fixture
def dataset(tmp_path):
    """A valid one-record dataset in a temp folder."""
    return make_dataset(tmp_path)


@pytest.fixture(scope="session")
def seed_root(tmp_path_factory):
    """The repository's four hand-coded seed records (and what the site needs), built, in a temp folder:
    shared by the session's tests, which must not change it (copy it with `seed.copy_seed` to change it)."""
    from incidents.build import build
    from seed import copy_seed

    root = copy_seed(tmp_path_factory.mktemp("seed"))
    result = build(root)
    assert result.problems == [], result.problems
    return root


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@contextlib.contextmanager
def _serve(directory: Path) -> Iterator[str]:
    """A folder served on localhost, as a web server would serve the built site."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def serve() -> Callable[[Path], contextlib.AbstractContextManager[str]]:
    return _serve


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A small dataset released as v0.1.0 (its manifest, changelog, citation and bundle), per test module."""
    from incidents.release import release
    from releasing import DAY, releasable

    root = tmp_path_factory.mktemp("released")
    releasable(root)
    release(root, date=DAY)
    return root
