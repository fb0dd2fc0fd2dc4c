"""The catalogue of error codes: every code the toolkit reports, with what it means for a contributor.

One entry per code: a short title, the explanation (what is wrong and what to do), an example of the bad
input and the value expected instead, and the command that reports it. The validator's docs page
(contribute/validator.md, rendered by site/error_help.py) is made from this catalogue, and
tests/site/test_docs_errors.py checks it against the code: every code the package raises has an entry, and every
entry is raised somewhere. A code ending in `-*` stands for a family (`schema-required`, `schema-type`,
...) named after the check that failed. The codes of `incidents import` and `incidents verify` are in
error_codes/command_codes.py, and those of hidden integrity problems in error_codes/integrity_codes.py, and those of
the checks against a record's committed history in error_codes/history_codes.py, to keep each module short.
"""

from __future__ import annotations

from incidents.standard.error_codes.command_codes import IMPORT, VERIFY
from incidents.standard.error_codes.entry import REPORTED_BY, ErrorCode
from incidents.standard.error_codes.history_codes import HISTORY
from incidents.standard.error_codes.integrity_codes import INTEGRITY
from incidents.standard.error_codes.validate_codes import VALIDATE

CATALOGUE: tuple[ErrorCode, ...] = (*VALIDATE, *HISTORY, *INTEGRITY, *VERIFY, *IMPORT)
BY_CODE = {entry.code: entry for entry in CATALOGUE}

__all__ = ["BY_CODE", "CATALOGUE", "REPORTED_BY", "ErrorCode"]
