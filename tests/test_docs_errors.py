"""What the validator checks, as the docs show it: the error codes read from the package's source, each
with help for the contributor, and an example line that is what the validator really prints."""

from __future__ import annotations

import datetime as dt
import shutil

from incidents.site import error_help as docs_errors


def test_error_codes_are_read_from_calls_that_raise_them():
    source = (
        'Problem("f", 1, None, None, "found x", "a y", "made-up-code")\n'
        "def _findings(mask, table, message, column, found, expected, code): ...\n"
        'yield from _findings(n, t, m, "c", f, "at least 0", "other-code")\n'
        'class Cells:\n    def bad(self, column, expected, code="default-code"): ...\n'
        'cells.bad("col", "a number", code="keyword-code")\n'
        'code = f"schema-{v}"\n'
        'Problem(p, 1, r, f, m, e, f"json-{v}")\n'
        'def f():\n    return "found", "expected text", "tuple-code", "field"\n'
    )
    codes = docs_errors.error_codes({"mod": source})
    assert set(codes) == {
        "made-up-code",
        "other-code",
        "schema-*",
        "json-*",
        "tuple-code",
        "default-code",
        "keyword-code",
    }
    assert codes["made-up-code"][0].expected == "a y"
    assert codes["other-code"][0].expected == "at least 0" and codes["keyword-code"][0].expected == "a number"


def test_validator_page_lists_every_error_code_the_package_raises():
    codes = docs_errors.error_codes(docs_errors.package_sources())
    assert {"fatality-range", "evidence-quote", "yaml-alias", "stale-build", "schema-*"} <= set(codes)
    page = docs_errors.validator_page(codes)
    for code in codes:
        assert f"| `{code}` |" in page


def test_validator_page_example_is_what_the_validator_prints_for_that_mistake_in_the_seed(seed_root, tmp_path):
    from incidents.validate import validate

    shutil.copytree(seed_root / "data", tmp_path / "data")
    example = docs_errors.EXAMPLE_PROBLEM
    record = tmp_path / example.file
    text = record.read_text(encoding="utf-8")
    assert "\nfatalities_low: 2\n" in text
    record.write_text(text.replace("\nfatalities_low: 2\n", "\nfatalities_low: 3\n"), encoding="utf-8")
    assert example in validate(tmp_path, today=dt.date(2030, 1, 1))


def test_validator_page_explains_the_codes_an_import_reports_in_their_own_section():
    codes = docs_errors.error_codes(docs_errors.package_sources())
    assert {"import-csv", "import-value", "import-required", "repaired"} <= set(codes)
    section = docs_errors.validator_page(codes).split("## Problems an import reports")[1]
    assert "| `import-value` |" in section and "| `fatality-range` |" not in section


def test_every_error_code_has_help_written_for_the_contributor():
    codes = docs_errors.error_codes(docs_errors.package_sources())
    assert set(codes) - set(docs_errors.ERROR_HELP) == set()


def test_error_help_has_no_entry_for_a_code_that_no_longer_exists():
    codes = docs_errors.error_codes(docs_errors.package_sources())
    assert set(docs_errors.ERROR_HELP) - set(codes) == set()


def test_validator_page_explains_what_verify_reports_in_its_own_section():
    codes = docs_errors.error_codes(docs_errors.package_sources())
    page = docs_errors.validator_page(codes)
    section = page.split("## Problems `incidents verify` reports")[1]
    assert "| `verify-changed` |" in section and "| `verify-changed` |" not in page.split("## Problems")[0]
    assert "| `continuity-history` |" in page.split("## Problems")[0]
