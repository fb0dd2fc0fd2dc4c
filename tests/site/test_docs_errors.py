"""The catalogue of error codes and the validator page made from it: every code the package raises has an
entry (found by reading the package's source), no entry is left over, each code is in the section of the
command that reports it, and the page's example line is what the validator really prints."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from error_scan import error_codes, package_sources
from incidents.site import error_help
from incidents.standard.error_codes import BY_CODE, CATALOGUE, REPORTED_BY

# Where each command's codes are raised; a code raised anywhere else is the validator's.
COMMAND_MODULES = {"import": ("incidents.importers", "incidents.build.export"), "verify": ("incidents.release.verify",)}


@pytest.fixture(scope="module")
def raised():
    """Every code the package raises, with where; the page's example problem is not a place that raises one."""
    sources = {name: text for name, text in package_sources().items() if name != "incidents.site.error_help"}
    return error_codes(sources)


def test_error_codes_are_read_from_calls_that_raise_them():
    source = (
        'Problem("f", 1, None, None, "found x", "a y", "made-up-code")\n'
        'Problem(file="f", line=1, record=None, field=None, message="m", expected="a z", code="keyword-problem")\n'
        "def _findings(mask, table, message, column, found, expected, code): ...\n"
        'yield from _findings(n, t, m, "c", f, "at least 0", "other-code")\n'
        'class Cells:\n    def bad(self, column, expected, code="default-code"): ...\n'
        'cells.bad("col", "a number", code="keyword-code")\n'
        'code = f"schema-{v}"\n'
        'Problem(p, 1, r, f, m, e, f"json-{v}")\n'
        'def f():\n    return "found", "expected text", "tuple-code", "field"\n'
    )
    codes = error_codes({"mod": source})
    assert set(codes) == {
        "made-up-code",
        "keyword-problem",
        "other-code",
        "schema-*",
        "json-*",
        "tuple-code",
        "default-code",
        "keyword-code",
    }
    assert codes["made-up-code"][0].expected == "a y" and codes["keyword-problem"][0].expected == "a z"
    assert codes["other-code"][0].expected == "at least 0" and codes["keyword-code"][0].expected == "a number"


def test_every_error_code_the_package_raises_has_an_entry_in_the_catalogue(raised):
    assert {"fatality-range", "evidence-quote", "yaml-alias", "stale-build", "schema-*", "import-csv"} <= set(raised)
    assert set(raised) - set(BY_CODE) == set()


def test_the_catalogue_has_no_entry_for_a_code_that_nothing_raises(raised):
    assert set(BY_CODE) - set(raised) == set()


def test_each_code_is_listed_once_with_a_title_an_explanation_an_example_and_the_expected_value():
    assert len(BY_CODE) == len(CATALOGUE)
    for entry in CATALOGUE:
        assert entry.title and entry.explanation and entry.example and entry.expected, entry.code
        assert entry.reported_by in REPORTED_BY and not entry.title.endswith("."), entry.code


def test_each_code_is_in_the_section_of_the_command_that_reports_it(raised):
    for code, sites in raised.items():
        by = next(
            (c for c, modules in COMMAND_MODULES.items() if all(s.module.startswith(modules) for s in sites)), None
        )
        assert BY_CODE[code].reported_by == (by or "validate"), (code, sorted({s.module for s in sites}))


def test_validator_page_lists_every_code_of_the_catalogue_with_its_help():
    page = error_help.validator_page()
    for entry in CATALOGUE:
        assert f"| `{entry.code}` | **{entry.title}.** {entry.explanation} |" in page


def test_validator_page_example_is_what_the_validator_prints_for_that_mistake_in_the_seed(seed_root, tmp_path):
    from incidents.validate import validate

    shutil.copytree(seed_root / "data", tmp_path / "data")
    example = error_help.EXAMPLE_PROBLEM
    record = tmp_path / example.file
    text = record.read_text(encoding="utf-8")
    assert "\nfatalities_low: 2\n" in text
    record.write_text(text.replace("\nfatalities_low: 2\n", "\nfatalities_low: 3\n"), encoding="utf-8")
    assert example in validate(tmp_path, today=dt.date(2030, 1, 1))


def test_validator_page_explains_the_codes_an_import_reports_in_their_own_section():
    section = error_help.validator_page().split("## Problems an import reports")[1]
    assert "| `import-value` |" in section and "| `fatality-range` |" not in section


def test_validator_page_explains_what_verify_reports_in_its_own_section():
    page = error_help.validator_page()
    section = page.split("## Problems `incidents verify` reports")[1]
    assert "| `verify-changed` |" in section and "| `verify-changed` |" not in page.split("## Problems")[0]
    assert "| `continuity-history` |" in page.split("## Problems")[0]


def test_validator_page_escapes_the_examples_as_table_cells():
    row = next(line for line in error_help.validator_page().splitlines() if line.startswith("| `file-name` |"))
    assert "&lt;id&gt;.yaml" in row
