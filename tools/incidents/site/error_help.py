"""The validator's docs page: how `incidents validate` works and what each error code means, rendered
from the catalogue of error codes (standard/error_codes/), a section per command that reports them."""

from __future__ import annotations

from incidents.core import problems
from incidents.site.markdown import cell, generated_note, raw_table
from incidents.standard.error_codes import CATALOGUE

EXAMPLE_ID = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S"
# Printed by the validator's own formatter, so the page shows exactly what a contributor sees.
EXAMPLE_PROBLEM = problems.Problem(
    file=f"data/records/{EXAMPLE_ID}.yaml",
    line=18,
    record=EXAMPLE_ID,
    field="fatalities_low",
    message="fatalities_low=3, fatalities_best=2",
    expected="fatalities_low <= fatalities_best <= fatalities_high",
    code="fatality-range",
)


def validator_page() -> str:
    """The validator's page: how it works, then the catalogue of error codes, a section per command."""
    out = ["# What the validator checks\n\n", generated_note("the catalogue of error codes")]
    out.append(
        "`incidents validate` reads every file, reports **every** problem at once and never stops at the "
        "first. It works in layers, each on what the previous one let through:\n\n"
        "1. **Files**: each YAML file is read safely: size, encoding, syntax, no aliases, no duplicate keys.\n"
        "2. **JSON Schema**: each record, actor and source file against its schema "
        "(types, required fields, codes, patterns), and the file is named for its id.\n"
        "3. **Tables**: the files become the six tables and the rules of the standard run column by column: "
        "codelists, unique ids, references, dates, ranges, coordinates, taxonomy, revisions, and that every "
        "evidence quote is the archived text at its offsets.\n"
        "4. **Outputs**: the committed tables and `datapackage.json` are exactly what the records build to.\n"
        "5. **The last release**: every id it published is still there (active, withdrawn or merged), and no "
        "published history was rewritten (`releases/vX.Y.Z.json`; see the versioning policy).\n\n"
        "Each problem is printed on one line as `file:line: record: field: what was found (expected …) "
        "[code]`, e.g.\n\n"
        f'<div class="wrap-code" markdown>\n\n```\n{problems.human([EXAMPLE_PROBLEM])}\n```\n\n</div>\n\n'
        "`--format json` gives the same as JSON, `--format github` as annotations on the lines of a pull "
        "request. Exit status: 0 valid, 1 invalid data, 2 usage error.\n\n## Error codes\n\n"
        "The codes below come from the toolkit's catalogue of error codes (`standard/error_codes/`), which a "
        "test checks against the code: every code the toolkit reports is listed, and nothing else.\n\n"
    )
    out.append(_codes_table("validate"))
    out.append(
        "\n## Problems an import reports\n\n`incidents import` reports each row it does not import with one "
        "of these codes (and the validator's own codes above when the mapped record breaks a rule of the "
        "standard); the row's line in the export comes first. How each column is read is on the "
        "[importers page](../importers.md).\n\n"
    )
    out.append(_codes_table("import"))
    if any(entry.reported_by == "verify" for entry in CATALOGUE):
        out.append(
            "\n## Problems `incidents verify` reports\n\n`incidents verify BUNDLE` checks a downloaded release "
            "against its manifest, file by file, then its descriptor and tables; each problem names the file.\n\n"
        )
        out.append(_codes_table("verify"))
    return "".join(out)


def _codes_table(reported_by: str) -> str:
    rows = [
        [f"`{entry.code}`", f"**{entry.title}.** {entry.explanation}", cell(entry.example), cell(entry.expected)]
        for entry in sorted(CATALOGUE, key=lambda entry: entry.code)
        if entry.reported_by == reported_by
    ]
    return raw_table(["code", "what it means and what to do", "for example", "expected"], rows)
