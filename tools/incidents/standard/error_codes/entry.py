"""One entry of the catalogue of error codes (incidents.standard.error_codes)."""

from __future__ import annotations

from dataclasses import dataclass

REPORTED_BY = ("validate", "verify", "import")  # the commands that report codes, in the page's order


@dataclass(frozen=True)
class ErrorCode:
    code: str
    title: str
    explanation: str  # for the contributor: what is wrong and what to do
    example: str  # an input that gets the code
    expected: str  # what is expected instead
    reported_by: str = "validate"  # the command: `incidents validate`, `incidents import` or `incidents verify`
