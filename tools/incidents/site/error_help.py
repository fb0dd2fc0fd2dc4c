"""What the validator checks, read from its source: every error code the package raises, with help for it.

The codes come from the syntax trees of the package's modules, so the validator page cannot fall behind the
code; `ERROR_HELP` says what each means to a contributor (a test fails when a code has none)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from incidents.core import problems
from incidents.site.markdown import generated_note, raw_table


@dataclass(frozen=True)
class ErrorSite:
    """Where the validator raises an error code, and what it says it expected there (when constant)."""

    module: str
    line: int
    expected: str | None


# The position of the `code` and `expected` arguments of the classes that hold a problem. Functions that
# take a `code` parameter (helpers such as the importers' `Cells.bad(column, expected, code=...)`) are
# found in the source itself, so a new helper needs no entry here.
_CODE_ARG = {"Problem": 6, "Finding": 5, "_Refused": 3}
_EXPECTED_ARG = {"Problem": 5, "Finding": 4, "_Refused": 2}
_CODE = re.compile(r"^[a-z]+(-[a-z]+)*$")


def error_codes(sources: dict[str, str]) -> dict[str, list[ErrorSite]]:
    """Error codes raised in the given module sources ({module: text}), found in their syntax trees.

    A code is the `code` argument of a Problem, Finding or refusal, a value assigned to a variable named
    `code`, or the code slot of the tuple a source-text check returns; an f-string code such as
    `schema-{validator}` is listed as `schema-*`."""
    found: dict[str, list[ErrorSite]] = defaultdict(list)

    def const(node: ast.AST | None) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def add(code_node: ast.AST, expected_node: ast.AST | None, module: str, line: int) -> None:
        code = const(code_node)
        if code is None and isinstance(code_node, ast.JoinedStr) and code_node.values:
            code = (const(code_node.values[0]) or "") + "*"
        if code and (_CODE.match(code) or code.endswith("-*")):
            found[code].append(ErrorSite(module, line, const(expected_node)))

    trees = {module: ast.parse(text) for module, text in sorted(sources.items())}
    code_arg, expected_arg = dict(_CODE_ARG), dict(_EXPECTED_ARG)
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                params = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
                if "code" in params and node.name not in code_arg:
                    code_arg[node.name] = params.index("code")
                    expected_arg[node.name] = params.index("expected") if "expected" in params else -1

    for module, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in code_arg:
                    keywords = {k.arg: k.value for k in node.keywords}
                    position = code_arg[name]
                    code_node = keywords.get("code") or (node.args[position] if len(node.args) > position else None)
                    exp_pos = expected_arg[name]
                    expected = keywords.get("expected") or (
                        node.args[exp_pos] if 0 <= exp_pos < len(node.args) else None
                    )
                    if code_node is not None:
                        add(code_node, expected, module, node.lineno)
            elif isinstance(node, ast.FunctionDef):  # def bad(self, column, expected, code="import-value")
                args = node.args.args[len(node.args.args) - len(node.args.defaults) :]
                for arg, default in zip(args, node.args.defaults, strict=True):
                    if arg.arg == "code":
                        add(default, None, module, node.lineno)
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
                add(node.value, None, module, node.lineno)  # code = f"schema-{error.validator}"
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 4:
                # dataset._source_text returns (found, expected, code, field)
                elts = node.value.elts
                if const(elts[2]) and const(elts[3]):
                    add(elts[2], elts[1], module, node.lineno)
    return {code: found[code] for code in sorted(found)}


def package_sources() -> dict[str, str]:
    """The text of every module of this package and its subpackages, by module name (for `error_codes`)."""
    here = Path(__file__).parents[1]
    modules = {}
    for path in sorted(here.rglob("*.py")):
        parts = path.relative_to(here).with_suffix("").parts
        modules[".".join(("incidents", *parts))] = path.read_text(encoding="utf-8")
    return modules


# What each code means to a contributor and what to do. Codes found in the source but missing here are
# still listed, with the validator's own "expected" text; tests/test_docs.py fails on entries for codes
# that no longer exist.
ERROR_HELP: dict[str, str] = {
    "too-large": "The file is bigger than a record, actor or source could reasonably be. Split or trim it.",
    "encoding": "The file is not plain UTF-8 (UTF-16, a byte-order mark, latin-1 bytes, a NUL or another "
    "control character such as a colour code pasted from a terminal), or its name is not. Save it as UTF-8 "
    "without BOM, under a name in UTF-8.",
    "line-endings": "The file has Windows (CRLF) or old Mac (CR) line endings. Save it with Unix line "
    "endings (LF), so that every file reads the same in review.",
    "number-range": "A number no table can hold: NaN, an infinity, or beyond ±9,223,372,036,854,775,807 "
    "(often digits pasted twice). Write the number as it is reported.",
    "empty": "The file holds nothing. Fill it in or delete it.",
    "yaml-syntax": "The YAML cannot be parsed: look at the line given (indentation, an unclosed quote, a "
    "colon in an unquoted value).",
    "yaml-alias": "Anchors (`&`), aliases (`*`) and merge keys (`<<`) are refused: they can make a tiny "
    "file expand enormously. Write each value out.",
    "too-deep": "Values are nested far deeper than the standard allows. A record is a flat mapping with "
    "three lists (actors, evidence, revisions).",
    "bad-key": "A mapping key is not a plain name. Use the field names of the codebook.",
    "duplicate-key": "The same field appears twice in one mapping; YAML would silently keep the last one.",
    "not-a-mapping": "The file holds a list or a single value, not a mapping of field names to values.",
    "symlink": "Files and folders under data/ must be regular, never symbolic links (a link could point anywhere).",
    "stray-file": "Something in `data/records/`, `data/actors/` or `data/sources/` that is never read: a "
    "subfolder, or a file that is not `<id>.yaml` (or `<id>.txt` for a source's text). Move the file "
    "directly into the folder with the right name, or remove it.",
    "formula": "A text value starts like a spreadsheet formula (`=`, or `+`, `-`, `@` before a function "
    "call), which a spreadsheet opening the CSV could run. Reword it; evidence quotes are exempt.",
    "schema-*": "The file does not match its JSON Schema: `schema-required` (a field is missing), "
    "`schema-type` (wrong type), `schema-enum` (not a code of the codelist), `schema-pattern` (wrong shape, "
    "e.g. an id), `schema-format` (not a real date), `schema-additionalProperties` (a field the standard "
    "does not have), `schema-minimum` and the like (a bound). The message names the field.",
    "file-name": "A record, actor or source file must be named for its id: `<id>.yaml`.",
    "path-outside": "A path points outside `data/` (or an archived text outside the repository). "
    "Contributions live under `data/`; references may not escape it.",
    "missing-file": "A file that should exist does not: the path given to `validate`, the archived text "
    "of a source next to its metadata, or a table of the built package (`validate --tables`).",
    "archive-path": "A source's `archive_path` must be `data/sources/<source_id>.txt`.",
    "source-hash": "The archived text no longer hashes to its `source_id`. Archived texts never change: a "
    "corrected text is a new source (`incidents ingest` it again).",
    "missing-column": "A built table lacks a column of the standard (a damaged or outdated table).",
    "required": "A required field is empty.",
    "unknown-code": "The value is not a code of the field's codelist. Check the spelling against the "
    "[codelists](../codebook/codelists.md).",
    "pattern": "The value does not have the required shape (ids are a prefix and a 26-character ULID).",
    "minimum": "A number is below the field's minimum (counts are never negative).",
    "maximum": "A number is above the field's maximum (latitude ≤ 90, longitude ≤ 180).",
    "duplicate-id": "Two rows share an id (or the same key, such as the same actor twice in one incident). "
    "Ids are never reused: make a new one with `incidents new`.",
    "dangling-reference": "An id refers to an actor, source or incident that does not exist. Add the actor "
    "file, ingest the source, or correct the id.",
    "date-order": "`date_start` is after `date_end`.",
    "future-date": "A date lies in the future: the event cannot have been reported yet.",
    "date-precision": "The dates do not fit `date_precision`: `unknown` needs empty dates, `day` needs "
    "`date_start = date_end`, `week` a span of at most seven days, `month` and `year` the whole month or "
    "year. See the [date precision codes](../codebook/codelists.md#date_precision).",
    "fatality-range": "The fatality range is not `fatalities_low ≤ fatalities_best ≤ fatalities_high`, or a "
    "bound is given without the best estimate.",
    "sub-event-type": "The `sub_event_type` does not belong to the `event_type`. See the "
    "[event types](../codebook/event-types.md).",
    "coordinates": "Only one of `latitude` and `longitude` is given. Give both, or neither when the place "
    "cannot be located.",
    "tombstone": "A withdrawn or merged record lacks its `status_reason`, a merged record lacks `merged_into` "
    "(or names itself), or an active record has a `merged_into`. Use `status` and these fields together.",
    "locked": "Another `incidents build` is running on the same repository. Wait for it (or use `--wait "
    "SECONDS`) and run again; nothing was written.",
    "outside-country": "The coordinates lie outside the country's bounding box: a swapped latitude and "
    "longitude, a wrong sign, or the wrong country.",
    "revision-sequence": "Revisions must be numbered 1, 2, 3 … in order, with `changed_at` never going back.",
    "unsupported-value": "A value that needs evidence (date, place, counts) has no evidence quote whose "
    "`supports` lists the field. Quote the sentence that says it, or leave the value empty.",
    "evidence-offsets": "`char_start`/`char_end` lie outside the archived text or in the wrong order.",
    "evidence-quote": "The quote is not the archived text at its offsets. Copy the sentence exactly and "
    "count offsets in characters (not bytes) from the start of the `.txt` file.",
    "stale-build": "The built tables or `datapackage.json` differ from what the records build to. Run "
    "`incidents build` and commit the result.",
    # reported by `incidents validate --tables` on a built package (datapackage.json and Parquet tables)
    "column-type": "A Parquet table's column has another type than its Table Schema gives (a table written "
    "by another tool, or by an older version of the standard). Rebuild it with `incidents build`.",
    "extra-column": "A Parquet table holds a column the standard does not have. Rebuild it with `incidents build`.",
    "table-unreadable": "A file that should be a Parquet table cannot be read as one (truncated, or another "
    "format). Rebuild it, or download it again.",
    "descriptor": "`datapackage.json` is not the descriptor `incidents build` writes: it cannot be read, lacks a "
    "resource, or a resource's path, schema, size or hash differs from `schemas/` and the tables. Rebuild.",
    "partition": "In the partitioned layout (`incidents partition`), a row lies in another partition than its "
    "incident's year and country. Write the partitions again with `incidents partition`.",
    "continuity-missing": "A record published in the last release has no file any more. Ids are never "
    "deleted: restore the file, and use `incidents withdraw` or `incidents merge` to retire the record.",
    "deleted-record": "`incidents validate --changed-since REF` found a record file deleted since REF. Ids are "
    "never deleted: restore the file, then use `incidents withdraw` (not in scope) or `incidents merge` (a "
    "duplicate), which keep the id as a tombstone.",
    "continuity-history": "Revisions already published in the last release were edited. History is only "
    "extended: restore them as released and add a new revision for the change.",
    "continuity-reinstated": "A record withdrawn or merged in the last release is active again with no "
    "revision saying so. If it really is reinstated, add a revision with `status` in `fields_changed` and "
    "the reason; otherwise code the new incident as a new record with a new id.",
    "continuity-unrevised": "A published record's values changed without a new revision. Add one (who, when, "
    "method, reason, `fields_changed`), or use `incidents correct`.",
    "manifest-unreadable": "The last release's manifest (`releases/vX.Y.Z.json`) cannot be read, so nothing "
    "can be checked against it. Restore it as `incidents release` wrote it.",
    # reported by `incidents verify` on a downloaded release
    "verify-unreadable": "The path is not a release bundle: neither a readable zip nor a folder. Download it again.",
    "verify-no-manifest": "The bundle has no readable manifest. Pass the release's manifest with "
    "`--manifest releases/vX.Y.Z.json`, or download the bundle again.",
    "verify-missing": "A file the manifest lists is not in the bundle.",
    "verify-size": "A file's size differs from the manifest's: it was truncated or altered.",
    "verify-changed": "A file's SHA-256 differs from the manifest's (or the bundle's manifest differs from the "
    "one given): it is not the released file. Download it again, or rebuild it with `incidents bundle`.",
    "verify-extra": "The bundle holds a file the manifest does not list.",
    "verify-parquet": "A Parquet table cannot be read, or its columns, row count or `package_version` differ "
    "from the descriptor, the CSV table or the release.",
    "verify-*": "frictionless found the tables do not match their Table Schemas; the code after `verify-` is "
    "frictionless's error type, and the message names the row and field.",
    # reported by `incidents import` (see importers.md): the row is not imported, the others are
    "import-file": "The export cannot be archived as a source (too large, or not UTF-8 text). Split it into "
    "smaller files, each with the header row, or re-save it as UTF-8.",
    "import-header": "The file is empty or its header lacks a column the importer reads. Export the full "
    "column layout (every column named on the [importers page](../importers.md)).",
    "import-csv": "The CSV cannot be read from this line on, or a row has the wrong number of cells; often "
    "a quote left open joins the following lines into one row. Fix the quoting at the line given.",
    "import-required": "A cell the standard cannot do without (id, date, country, precision, actor, type) "
    "is empty. Fill it in the export, or code that event by hand.",
    "import-value": "A cell does not hold what its column should (a number out of range, a fraction where a "
    "whole number belongs, a date that cannot be read).",
    "import-code": "A label (country, event type, precision) matches no code of the standard, even allowing "
    "for case, punctuation and close misspellings. Correct it in the export.",
    "import-duplicate": "The same row id appears twice in one export; only the first is imported.",
    "import-record": "The row was imported before, but the record file it became cannot be read (broken YAML "
    "or a merge conflict left in it), so the import cannot tell what people corrected since. Run `incidents "
    "validate`, fix that file, and import again; the row is skipped, the others are imported.",
    "repaired": "Not an error: a misspelt label was read as the close match shown (`Demonstartions` as "
    "`Demonstrations`). Check that the reading is right.",
    "schema": "The mapped record would break the record JSON Schema; the message names the rule. The row "
    "is not imported, so nothing `incidents validate` would refuse is written.",
}


EXAMPLE_ID = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S"
# Printed by the validator's own formatter, so the page shows exactly what a contributor sees.
EXAMPLE_PROBLEM = problems.Problem(
    f"data/records/{EXAMPLE_ID}.yaml",
    18,
    EXAMPLE_ID,
    "fatalities_low",
    "fatalities_low=3, fatalities_best=2",
    "fatalities_low <= fatalities_best <= fatalities_high",
    "fatality-range",
)


def validator_page(codes: dict[str, list[ErrorSite]]) -> str:
    out = ["# What the validator checks\n\n", generated_note("the validator's own source code")]
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
        "The codes below are read from the validator's source when the site is built, so the list cannot "
        "fall behind the code.\n\n"
    )

    def only_in(modules: tuple[str, ...]) -> set[str]:
        return {c for c, sites in codes.items() if all(s.module.startswith(modules) for s in sites)}

    importer, verifier = only_in(_IMPORTERS), only_in(_VERIFIER)
    out.append(_codes_table({c: s for c, s in codes.items() if c not in importer | verifier}))
    out.append(
        "\n## Problems an import reports\n\n`incidents import` reports each row it does not import with one "
        "of these codes (and the validator's own codes above when the mapped record breaks a rule of the "
        "standard); the row's line in the export comes first. How each column is read is on the "
        "[importers page](../importers.md).\n\n"
    )
    out.append(_codes_table({c: s for c, s in codes.items() if c in importer}))
    if verifier:
        out.append(
            "\n## Problems `incidents verify` reports\n\n`incidents verify BUNDLE` checks a downloaded release "
            "against its manifest, file by file, then its descriptor and tables; each problem names the file.\n\n"
        )
        out.append(_codes_table({c: s for c, s in codes.items() if c in verifier}))
    return "".join(out)


_IMPORTERS = ("incidents.importers", "incidents.build.export")
_VERIFIER = ("incidents.release.verify",)


def _codes_table(codes: dict[str, list[ErrorSite]]) -> str:
    rows = []
    for code, sites in codes.items():
        meaning = ERROR_HELP.get(code)
        expected = sorted({s.expected for s in sites if s.expected})
        if meaning is None:
            meaning = "Expected: " + "; ".join(expected) if expected else "(no description yet)"
        where = ", ".join(sorted({f"`{s.module.removeprefix('incidents.')}`" for s in sites}))
        rows.append([f"`{code}`", meaning, where])
    return raw_table(["code", "what it means and what to do", "module"], rows)
