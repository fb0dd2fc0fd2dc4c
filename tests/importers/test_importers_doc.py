"""docs/importers.md states the mapping column by column: every column an importer reads has its row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from incidents.importers import acled, ucdp

DOC = Path(__file__).resolve().parents[2] / "docs" / "importers.md"


def documented_columns(heading: str) -> set[str]:
    """The column names in the first cell of each row of the table under `heading`."""
    section = DOC.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([^`]+)`", cell)}


@pytest.mark.parametrize(
    ("heading", "columns"),
    [
        ("ACLED: column by column", acled.COLUMNS),
        ("UCDP GED: column by column", (*ucdp.COLUMNS, *ucdp.NOTED)),
    ],
)
def test_every_column_an_importer_reads_is_documented(heading, columns):
    assert set(columns) - documented_columns(heading) == set()


def test_the_acled_table_names_no_column_the_layout_lacks():
    assert documented_columns("ACLED: column by column") - set(acled.COLUMNS) == set()
