"""Tools for the open incident data standard: ingest, records, build, validate."""

__version__ = "0.1.0"
