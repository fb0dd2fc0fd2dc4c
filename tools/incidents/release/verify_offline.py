"""Keeping `incidents verify` inside the bundle: what a bundle's descriptor names outside it is reported, and
frictionless, which would fetch a URL or open a path the descriptor names, cannot reach the network.

A bundle may come from anyone. Its `datapackage.json` could name a URL (a request to any server, from the
verifier's machine), a path outside the bundle, a profile to fetch or a compressed file frictionless would
unpack past the bounds on the bundle's size. Each such name is a problem, found before frictionless runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from incidents.core.problems import Problem

DESCRIPTOR = "datapackage.json"
# The Data Package standard's own profiles: frictionless holds them and never fetches them.
STANDARD_PROFILES = frozenset(
    {
        "https://datapackage.org/profiles/2.0/datapackage.json",
        "https://datapackage.org/profiles/2.0/dataresource.json",
        "https://datapackage.org/profiles/2.0/tableschema.json",
        "https://datapackage.org/profiles/2.0/tabledialect.json",
        "data-package",
        "tabular-data-package",
        "data-resource",
        "tabular-data-resource",
    }
)
COMPRESSED = (".zip", ".gz", ".bz2", ".xz")  # the suffixes frictionless unpacks (its COMPRESSION_FORMATS)
INSIDE = "a path to a file inside the bundle, such as data/tables/incidents.csv"
PROFILE = "a profile of the Data Package standard (https://datapackage.org/profiles/2.0/...), or none"


def _problem(field: str, message: str, expected: str) -> Problem:
    return Problem(file=DESCRIPTOR, field=field, message=message, expected=expected, code="verify-reference")


def _profiles(node: dict[str, Any], at: str) -> list[Problem]:
    """A `$schema` or `profile` that is not one of the standard's: frictionless would fetch or open it."""
    problems = []
    for key in ("$schema", "profile"):
        value = node.get(key)
        if value is not None and value not in STANDARD_PROFILES:
            message = f"{value} is not a profile of the Data Package standard: verify never fetches or opens one"
            problems.append(_problem(f"{at}{key}", message, PROFILE))
    return problems


def _path(value: Any, field: str, data: bool) -> list[Problem]:
    """A path frictionless would open: inside the bundle, never a URL; a table's data also uncompressed."""
    if not isinstance(value, str):
        return []
    path = PurePosixPath(value)
    if urlparse(value).scheme:
        message = f"{value} is a URL: verify reads only the bundle and never fetches what it names"
    elif path.is_absolute() or ".." in path.parts or value.startswith("~") or "\\" in value:
        message = f"{value} leaves the bundle: verify reads only the files inside it"
    elif data and path.suffix.lower() in COMPRESSED:
        message = f"{value} is compressed: frictionless would unpack it past verify's size bounds"
    else:
        return []
    return [_problem(field, message, INSIDE)]


def _resource(resource: dict[str, Any], at: str) -> list[Problem]:
    problems = _profiles(resource, f"{at}.")
    paths = resource.get("path")
    if isinstance(paths, list):
        for number, value in enumerate(paths):
            problems += _path(value, f"{at}.path[{number}]", data=True)
    else:
        problems += _path(paths, f"{at}.path", data=True)
    if "compression" in resource:
        message = f"compression {resource['compression']!r}: frictionless would unpack it past verify's size bounds"
        problems.append(_problem(f"{at}.compression", message, "an uncompressed table"))
    for key in ("schema", "dialect"):
        value = resource.get(key)
        if isinstance(value, dict):
            problems += _profiles(value, f"{at}.{key}.")
        else:
            problems += _path(value, f"{at}.{key}", data=False)
    return problems


def references(descriptor: Any) -> list[Problem]:
    """Everything the descriptor names that frictionless would fetch, open outside the bundle, or unpack."""
    if not isinstance(descriptor, dict):
        return []
    problems = _profiles(descriptor, "")
    resources = descriptor.get("resources")
    for number, resource in enumerate(resources if isinstance(resources, list) else []):
        if isinstance(resource, dict):
            problems += _resource(resource, f"resources[{number}]")
    return problems


@contextmanager
def no_network() -> Iterator[None]:
    """frictionless, untrusted and with an HTTP session that refuses every request: whatever the checks above
    miss is still never fetched."""
    import frictionless
    import requests

    class Refusing(requests.Session):
        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
            raise requests.ConnectionError(f"{url!s}: verify reads only the bundle, never the network")

    with frictionless.system.use_context(trusted=False, http_session=Refusing()):
        yield
