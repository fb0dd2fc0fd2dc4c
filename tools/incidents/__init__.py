"""Tools for the open incident data standard: ingest, records, build, validate; `incidents.load()` reads the
tables (imported on first use, so that `import incidents` stays cheap: not even `typing` is imported here)."""

__version__ = "0.1.0"

MYPY = False  # True for mypy only: the loader's signature, without importing it
if MYPY:
    from incidents.loader import load as load


def __getattr__(name: str) -> object:
    if name == "load":
        from incidents.loader import load

        return load
    raise AttributeError(f"module 'incidents' has no attribute {name!r}")
