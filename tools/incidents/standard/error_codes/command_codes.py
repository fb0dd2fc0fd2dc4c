"""The error codes of `incidents verify` and `incidents import`: their part of the catalogue of
incidents.standard.error_codes (which see), in a module of its own to keep each module short."""

from __future__ import annotations

from incidents.standard.error_codes.entry import ErrorCode

# Reported by `incidents verify` on a downloaded release.
VERIFY: tuple[ErrorCode, ...] = (
    ErrorCode(
        "verify-unreadable",
        "Not a release bundle",
        "The path is not a release bundle: neither a readable zip nor a folder. Download it again.",
        "a .zip truncated by the download",
        "a release bundle (zip or folder)",
        "verify",
    ),
    ErrorCode(
        "verify-no-manifest",
        "A bundle without a manifest",
        "The bundle has no readable manifest. Pass the release's manifest with `--manifest releases/vX.Y.Z.json`,"
        " or download the bundle again.",
        "a bundle folder without its manifest",
        "a release manifest",
        "verify",
    ),
    ErrorCode(
        "verify-missing",
        "A listed file is missing",
        "A file the manifest lists is not in the bundle.",
        "a bundle without data/incidents.csv",
        "every file the manifest lists",
        "verify",
    ),
    ErrorCode(
        "verify-size",
        "A file of another size",
        "A file's size differs from the manifest's: it was truncated or altered.",
        "a CSV table cut short",
        "the size the manifest gives",
        "verify",
    ),
    ErrorCode(
        "verify-changed",
        "A file that is not the released one",
        "A file's SHA-256 differs from the manifest's (or the bundle's manifest differs from the one given): it "
        "is not the released file. Download it again, or rebuild it with `incidents bundle`.",
        "an edited CSV table",
        "the SHA-256 the manifest gives",
        "verify",
    ),
    ErrorCode(
        "verify-extra",
        "A file the manifest does not list",
        "The bundle holds a file the manifest does not list.",
        "notes.txt added to the bundle",
        "only the files the manifest lists",
        "verify",
    ),
    ErrorCode(
        "verify-parquet",
        "A Parquet table that does not match",
        "A Parquet table cannot be read, or its columns, row count or `package_version` differ from the "
        "descriptor, the CSV table or the release.",
        "a Parquet table with fewer rows than its CSV",
        "the descriptor's columns and the CSV's rows",
        "verify",
    ),
    ErrorCode(
        "verify-*",
        "A table that does not match its Table Schema",
        "frictionless found the tables do not match their Table Schemas; the code after `verify-` is "
        "frictionless's error type, and the message names the row and field.",
        "a date column holding 2024-13-01",
        "tables that match their Table Schemas",
        "verify",
    ),
    ErrorCode(
        "verify-too-large",
        "A bundle that unpacks too large",
        "The zip would unpack to more than a release bundle can hold (1 GiB in all), or one of its entries is "
        "compressed more than 200 to 1, or gives more bytes than its header declares: a zip bomb, refused "
        "before it is unpacked. Download the release again.",
        "a 3 MB zip holding a 3 GiB entry",
        "at most 1,073,741,824 bytes unpacked, each entry at most 200 to 1",
        "verify",
    ),
    ErrorCode(
        "verify-reference",
        "A descriptor naming something outside the bundle",
        "The bundle's `datapackage.json` names a URL, a path outside the bundle, a profile that is not the Data "
        "Package standard's, or a compressed table. `incidents verify` reads only the bundle: it never fetches "
        "or opens what is named, and does not validate the tables with such a descriptor.",
        'resources[0].path: "https://example.org/incidents.csv"',
        "a path to a file inside the bundle, such as data/tables/incidents.csv",
        "verify",
    ),
)

# Reported by `incidents import` (see importers.md): the row is not imported, the others are.
IMPORT: tuple[ErrorCode, ...] = (
    ErrorCode(
        "import-file",
        "The export cannot be archived",
        "The export cannot be archived as a source (too large, or not UTF-8 text). Split it into smaller files, "
        "each with the header row, or re-save it as UTF-8.",
        "a 200 MB export saved as UTF-16",
        "UTF-8 text the size of a source",
        "import",
    ),
    ErrorCode(
        "import-header",
        "The header lacks a column",
        "The file is empty or its header lacks a column the importer reads. Export the full column layout (every "
        "column named on the [importers page](../importers.md)).",
        "an ACLED export without event_id_cnty",
        "the columns the importer reads",
        "import",
    ),
    ErrorCode(
        "import-csv",
        "The CSV cannot be read",
        "The CSV cannot be read from this line on, or a row has the wrong number of cells; often a quote left "
        "open joins the following lines into one row. Fix the quoting at the line given.",
        "a quote left open on line 12",
        "valid CSV, one cell per column",
        "import",
    ),
    ErrorCode(
        "import-required",
        "A cell the standard needs is empty",
        "A cell the standard cannot do without (id, date, country, precision, actor, type) is empty. Fill it in "
        "the export, or code that event by hand.",
        "an empty event_date",
        "a value",
        "import",
    ),
    ErrorCode(
        "import-value",
        "A cell holds the wrong kind of value",
        "A cell does not hold what its column should (a number out of range, a fraction where a whole number "
        "belongs, a date that cannot be read).",
        "latitude: 120, or fatalities: 2.5",
        "what the column holds (a number in range, a whole number, a date)",
        "import",
    ),
    ErrorCode(
        "import-code",
        "A label that matches no code",
        "A label (country, event type, precision) matches no code of the standard, even allowing for case, "
        "punctuation and close misspellings. Correct it in the export.",
        "event_type: Protestz and riots",
        "a label of the standard's codelist",
        "import",
    ),
    ErrorCode(
        "import-duplicate",
        "The same row id twice",
        "The same row id appears twice in one export; only the first is imported.",
        "two rows with event_id_cnty NGA12345",
        "each id once",
        "import",
    ),
    ErrorCode(
        "import-record",
        "The record of a row cannot be read",
        "The row was imported before, but the record file it became cannot be read (broken YAML or a merge "
        "conflict left in it), so the import cannot tell what people corrected since. Run `incidents validate`, "
        "fix that file, and import again; the row is skipped, the others are imported.",
        "a merge conflict left in the row's record file",
        "a record file that `incidents validate` reads",
        "import",
    ),
    ErrorCode(
        "repaired",
        "A label read as its close match",
        "Not an error: a misspelt label was read as the close match shown (`Demonstartions` as `Demonstrations`)."
        " Check that the reading is right.",
        "Demonstartions",
        "the label as the codelist spells it",
        "import",
    ),
    ErrorCode(
        "schema",
        "The mapped record breaks the record schema",
        "The mapped record would break the record JSON Schema; the message names the rule. The row is not "
        "imported, so nothing `incidents validate` would refuse is written.",
        "a notes cell longer than the standard allows",
        "a value the record schema allows",
        "import",
    ),
)
