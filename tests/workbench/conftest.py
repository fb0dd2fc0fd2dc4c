"""The workbench's tests: a copy of the seed dataset, the app's test client on it, and headless Chromium
(the docs tests' `browser` fixture, loaded from tests/site/conftest.py rather than written twice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from workbench_report import BASE, PORT

from incidents.workbench import app
from seed import copy_seed


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return copy_seed(tmp_path)


class _OwnAddress(FlaskClient):
    """Requests sent to the workbench's own address unless a test says otherwise."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", BASE)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(seed: Path) -> Iterator[FlaskClient]:
    """The app on a copy of the seed, its requests sent to its own address."""
    workbench = app.create_app(seed, "Test Coder", PORT)
    workbench.test_client_class = _OwnAddress
    with workbench.test_client() as test_client:
        yield test_client
