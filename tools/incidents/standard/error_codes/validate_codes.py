"""The codes `incidents validate` reports (and `incidents import`, on the records an import would write)."""

from __future__ import annotations

from incidents.standard.error_codes.entry import ErrorCode

# Reported by `incidents validate` (and by `incidents import`, on the records an import would write).
VALIDATE: tuple[ErrorCode, ...] = (
    ErrorCode(
        "too-large",
        "The file is too large",
        "The file is bigger than a record, actor or source could reasonably be. Split or trim it.",
        "a 3 MB record file",
        "a record, actor or source file of a reasonable size",
    ),
    ErrorCode(
        "encoding",
        "The file is not UTF-8",
        "The file is not plain UTF-8 (UTF-16, a byte-order mark, latin-1 bytes, a NUL or another control "
        "character such as a colour code pasted from a terminal), or its name is not. Save it as UTF-8 without "
        "BOM, under a name in UTF-8.",
        "a record saved as UTF-16, or with a byte-order mark",
        "UTF-8 text without a byte-order mark",
    ),
    ErrorCode(
        "line-endings",
        "Windows or old Mac line endings",
        "The file has Windows (CRLF) or old Mac (CR) line endings. Save it with Unix line endings (LF), so that "
        "every file reads the same in review.",
        "lines ending in CR LF, as Notepad saves them",
        "Unix line endings (LF)",
    ),
    ErrorCode(
        "number-range",
        "A number no table can hold",
        "A number no table can hold: NaN, an infinity, or beyond ±9,223,372,036,854,775,807 (often digits pasted "
        "twice). Write the number as it is reported.",
        "fatalities_best: 1e400",
        "a finite number within ±9,223,372,036,854,775,807",
    ),
    ErrorCode(
        "empty",
        "The file is empty",
        "The file holds nothing. Fill it in or delete it.",
        "a record file of zero bytes",
        "a YAML mapping of fields",
    ),
    ErrorCode(
        "yaml-syntax",
        "The YAML cannot be parsed",
        "The YAML cannot be parsed: look at the line given (indentation, an unclosed quote, a colon in an "
        "unquoted value).",
        'summary: "Clashes in Goma',
        "valid YAML",
    ),
    ErrorCode(
        "yaml-alias",
        "Anchors, aliases or merge keys",
        "Anchors (`&`), aliases (`*`) and merge keys (`<<`) are refused: they can make a tiny file expand "
        "enormously. Write each value out.",
        "location: &town Goma",
        "plain keys and values, each written out",
    ),
    ErrorCode(
        "too-deep",
        "Values nested too deep",
        "Values are nested far deeper than the standard allows. A record is a flat mapping with three lists "
        "(actors, evidence, revisions).",
        "notes: [[[[[[[[[[[[x]]]]]]]]]]]]",
        "a flat record",
    ),
    ErrorCode(
        "bad-key",
        "A key that is not a field name",
        "A mapping key is not a plain name. Use the field names of the codebook.",
        "? [a, b]: 1",
        "a field name",
    ),
    ErrorCode(
        "duplicate-key",
        "A field given twice",
        "The same field appears twice in one mapping; YAML would silently keep the last one.",
        "two lines starting with fatalities_best:",
        "each key once",
    ),
    ErrorCode(
        "not-a-mapping",
        "The file is not a mapping",
        "The file holds a list or a single value, not a mapping of field names to values.",
        "- inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S",
        "a YAML mapping of fields",
    ),
    ErrorCode(
        "symlink",
        "A symbolic link under data/",
        "Files and folders under data/ must be regular, never symbolic links (a link could point anywhere).",
        "data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S.yaml -> /etc/passwd",
        "a regular file",
    ),
    ErrorCode(
        "stray-file",
        "A file that is never read",
        "Something in `data/records/`, `data/actors/` or `data/sources/` that is never read: a subfolder, or a "
        "file that is not `<id>.yaml` (or `<id>.txt` for a source's text). Move the file directly into the folder"
        " with the right name, or remove it.",
        "data/records/drafts/notes.txt",
        "only <id>.yaml files (and <id>.txt for sources), directly in their folder",
    ),
    ErrorCode(
        "formula",
        "A value that starts like a spreadsheet formula",
        "A text value starts like a spreadsheet formula (`=`, or `+`, `-`, `@` before a function call), which a "
        "spreadsheet opening the CSV could run. Reword it; evidence quotes are exempt.",
        'summary: =HYPERLINK("http://example.com")',
        "plain text",
    ),
    ErrorCode(
        "schema-*",
        "The file does not match its JSON Schema",
        "The file does not match its JSON Schema: `schema-required` (a field is missing), `schema-type` (wrong "
        "type), `schema-enum` (not a code of the codelist), `schema-pattern` (wrong shape, e.g. an id), `schema-"
        "format` (not a real date), `schema-additionalProperties` (a field the standard does not have), `schema-"
        "minimum` and the like (a bound). The message names the field.",
        "date_precision: daily",
        "a value the JSON Schema allows",
    ),
    ErrorCode(
        "file-name",
        "The file is not named for its id",
        "A record, actor or source file must be named for its id: `<id>.yaml`.",
        "data/records/goma.yaml holding inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S",
        "<id>.yaml",
    ),
    ErrorCode(
        "path-outside",
        "A path outside data/",
        "A path points outside `data/` (or an archived text outside the repository). Contributions live under "
        "`data/`; references may not escape it.",
        "archive_path: ../../etc/passwd",
        "a record, actor or source file under data/",
    ),
    ErrorCode(
        "missing-file",
        "A file that should exist does not",
        "A file that should exist does not: the path given to `validate`, the archived text of a source next to "
        "its metadata, or a table of the built package (`validate --tables`).",
        "a source's metadata without its .txt",
        "the file, where it is expected",
    ),
    ErrorCode(
        "archive-path",
        "A source's archive_path is not where its text is",
        "A source's `archive_path` must be `data/sources/<source_id>.txt`.",
        "archive_path: data/sources/report.txt",
        "data/sources/<source_id>.txt",
    ),
    ErrorCode(
        "source-hash",
        "The archived text does not hash to its source_id",
        "The archived text no longer hashes to its `source_id`. Archived texts never change: a corrected text is "
        "a new source (`incidents ingest` it again).",
        "a typo corrected in data/sources/<source_id>.txt",
        "the text as archived",
    ),
    ErrorCode(
        "missing-column",
        "A built table lacks a column",
        "A built table lacks a column of the standard (a damaged or outdated table).",
        "incidents.parquet without fatalities_high",
        "the columns of the standard",
    ),
    ErrorCode(
        "required",
        "A required field is empty",
        "A required field is empty.",
        "event_type: null",
        "a value",
    ),
    ErrorCode(
        "unknown-code",
        "A value that is not a code of the codelist",
        "The value is not a code of the field's codelist. Check the spelling against the "
        "[codelists](../codebook/codelists.md).",
        "event_type: battle",
        "a code of the field's codelist",
    ),
    ErrorCode(
        "pattern",
        "A value of the wrong shape",
        "The value does not have the required shape (ids are a prefix and a 26-character ULID).",
        "incident_id: inc_42",
        "the field's pattern (ids: a prefix and a 26-character ULID)",
    ),
    ErrorCode(
        "minimum",
        "A number below the minimum",
        "A number is below the field's minimum (counts are never negative).",
        "injured: -1",
        "at least the field's minimum",
    ),
    ErrorCode(
        "maximum",
        "A number above the maximum",
        "A number is above the field's maximum (latitude ≤ 90, longitude ≤ 180).",
        "latitude: 95.2",
        "at most the field's maximum",
    ),
    ErrorCode(
        "duplicate-id",
        "Two rows share an id",
        "Two rows share an id (or the same key, such as the same actor twice in one incident). Ids are never "
        "reused: make a new one with `incidents new`.",
        "two actor files with actor_id: act_01KAXQ8N5D4C3R6E0J2VWZ7T1S",
        "each id (or key) once",
    ),
    ErrorCode(
        "dangling-reference",
        "An id that names nothing",
        "An id refers to an actor, source or incident that does not exist. Add the actor file, ingest the source,"
        " or correct the id.",
        "actor_id: act_01KAXQ8N5D4C3R6E0J2VWZ7T1S with no such actor file",
        "the id of an existing actor, source or incident",
    ),
    ErrorCode(
        "date-order",
        "The start date is after the end date",
        "`date_start` is after `date_end`.",
        "date_start: 2024-03-02, date_end: 2024-03-01",
        "date_start <= date_end",
    ),
    ErrorCode(
        "future-date",
        "A date in the future",
        "A date lies in the future: the event cannot have been reported yet.",
        "date_start: 2099-01-01",
        "a date up to today",
    ),
    ErrorCode(
        "date-precision",
        "The dates do not fit date_precision",
        "The dates do not fit `date_precision`: `unknown` needs empty dates, `day` needs `date_start = date_end`,"
        " `week` a span of at most seven days, `month` and `year` the whole month or year. See the [date "
        "precision codes](../codebook/codelists.md#date_precision).",
        "date_precision: day, date_start: 2024-03-01, date_end: 2024-03-05",
        "dates that fit date_precision",
    ),
    ErrorCode(
        "fatality-range",
        "The fatality range is not a range",
        "The fatality range is not `fatalities_low ≤ fatalities_best ≤ fatalities_high`, or a bound is given "
        "without the best estimate.",
        "fatalities_low=3, fatalities_best=2",
        "fatalities_low <= fatalities_best <= fatalities_high",
    ),
    ErrorCode(
        "sub-event-type",
        "A sub_event_type of another event_type",
        "The `sub_event_type` does not belong to the `event_type`. See the [event types](../codebook/event-types.md).",
        "event_type: protests, sub_event_type: armed_clash",
        "a sub_event_type of the record's event_type",
    ),
    ErrorCode(
        "coordinates",
        "Only one of latitude and longitude",
        "Only one of `latitude` and `longitude` is given. Give both, or neither when the place cannot be located.",
        "latitude: 12.5, longitude: null",
        "both latitude and longitude, or neither",
    ),
    ErrorCode(
        "tombstone",
        "A tombstone without its reason or target",
        "A withdrawn or merged record lacks its `status_reason`, a merged record lacks `merged_into` (or names "
        "itself), or an active record has a `merged_into`. Use `status` and these fields together.",
        "status: merged without merged_into",
        "status_reason (and merged_into for a merged record) with the status",
    ),
    ErrorCode(
        "locked",
        "Another build is running",
        "Another `incidents build` is running on the same repository. Wait for it (or use `--wait SECONDS`) and "
        "run again; nothing was written.",
        "two `incidents build` at once",
        "one build at a time",
    ),
    ErrorCode(
        "outside-country",
        "Coordinates outside the country",
        "The coordinates lie outside the country's bounding box: a swapped latitude and longitude, a wrong sign, "
        "or the wrong country.",
        "country: NGA, latitude: 9.1, longitude: -9.1",
        "coordinates inside the country's bounding box",
    ),
    ErrorCode(
        "revision-sequence",
        "Revisions out of sequence",
        "Revisions must be numbered 1, 2, 3 … in order, with `changed_at` never going back.",
        "revisions numbered 1, 3",
        "revisions numbered from 1 without gaps",
    ),
    ErrorCode(
        "unsupported-value",
        "A value no quote supports",
        "A value that needs evidence (date, place, counts) has no evidence quote whose `supports` lists the "
        "field. Quote the sentence that says it, or leave the value empty.",
        "fatalities_best: 12 with no evidence listing fatalities_best",
        "an evidence quote whose supports lists the field",
    ),
    ErrorCode(
        "evidence-offsets",
        "Quote offsets outside the text",
        "`char_start`/`char_end` lie outside the archived text or in the wrong order.",
        "char_start: 900, char_end: 880",
        "0 <= char_start < char_end <= the length of the source text",
    ),
    ErrorCode(
        "evidence-quote",
        "The quote is not the text at its offsets",
        "The quote is not the archived text at its offsets. Copy the sentence exactly and count offsets in "
        "characters (not bytes) from the start of the `.txt` file.",
        "a quote with curly quotes where the text has straight ones",
        "the archived text at char_start:char_end",
    ),
    ErrorCode(
        "evidence-offsets-missing",
        "A quote without its offsets",
        "The evidence item gives a quote but not its `char_start` and `char_end`. Run `incidents quotes fill "
        "<id>`: it finds the quote in the archived source and writes both. The message says where the quote is "
        "found, or that it is found more than once (then give a `char_start` near the one meant).",
        "quote: One officer was injured. (no char_start, char_end)",
        "char_start and char_end, written by `incidents quotes fill`",
    ),
    ErrorCode(
        "quote-not-found",
        "A quote that cannot be placed in its source",
        "`incidents quotes fill` could not place the quote: it is not in the archived source (copy it exactly: "
        "same spelling, punctuation and spaces), it is found more than once and no `char_start` says which "
        "(give one near the occurrence meant), or its source is not archived. Nothing is written until every "
        "quote is placed.",
        "quote: Qamishli (twice in the report)",
        "a quote found once in its source, or a char_start near the occurrence meant",
    ),
    ErrorCode(
        "stale-build",
        "The built outputs differ from the records",
        "The built tables or `datapackage.json` differ from what the records build to. Run `incidents build` and "
        "commit the result.",
        "a record edited after the last build",
        "the output of `incidents build`: run `incidents build` and commit the result",
    ),
    ErrorCode(
        "column-type",
        "A column of another type",
        "A Parquet table's column has another type than its Table Schema gives (a table written by another tool, "
        "or by an older version of the standard). Rebuild it with `incidents build`.",
        "fatalities_best stored as text",
        "the type of the Table Schema",
    ),
    ErrorCode(
        "extra-column",
        "A column the standard does not have",
        "A Parquet table holds a column the standard does not have. Rebuild it with `incidents build`.",
        "incidents.parquet with a column comments",
        "only the standard's columns",
    ),
    ErrorCode(
        "table-unreadable",
        "A table that cannot be read",
        "A file that should be a Parquet table cannot be read as one (truncated, or another format). Rebuild it, "
        "or download it again.",
        "a truncated incidents.parquet",
        "a Parquet table",
    ),
    ErrorCode(
        "descriptor",
        "datapackage.json is not what the build writes",
        "`datapackage.json` is not the descriptor `incidents build` writes: it cannot be read, lacks a resource, "
        "or a resource's path, schema, size or hash differs from `schemas/` and the tables. Rebuild.",
        "a resource's hash edited by hand",
        "the descriptor `incidents build` writes",
    ),
    ErrorCode(
        "partition",
        "A row in the wrong partition",
        "In the partitioned layout (`incidents partition`), a row lies in another partition than its incident's "
        "year and country. Write the partitions again with `incidents partition`.",
        "a 2023 incident under year=2024/",
        "year=YYYY and/or country=XXX folders that match the row",
    ),
    ErrorCode(
        "continuity-missing",
        "A published record is gone",
        "A record published in the last release has no file any more. Ids are never deleted: restore the file, "
        "and use `incidents withdraw` or `incidents merge` to retire the record.",
        "a record file of the last release deleted",
        "every published id, active, withdrawn or merged",
    ),
    ErrorCode(
        "deleted-record",
        "A committed record file deleted",
        "A record file of the last commit (HEAD; with `--changed-since REF`, of REF's merge base) is gone. Ids "
        "are never deleted: restore the file, then use `incidents withdraw` (not in scope) or `incidents merge` "
        "(a duplicate), which keep the id as a tombstone. Checked only in a git repository.",
        "git rm data/records/<id>.yaml",
        "every id kept, as a tombstone if need be",
    ),
    ErrorCode(
        "continuity-history",
        "Published revisions edited",
        "Revisions already published in the last release were edited. History is only extended: restore them as "
        "released and add a new revision for the change.",
        "the reason of a released revision reworded",
        "the released revisions, unchanged, then new ones",
    ),
    ErrorCode(
        "continuity-reinstated",
        "A released tombstone active again",
        "A record withdrawn or merged in the last release is active again. A tombstone never becomes active "
        "again, even with a revision saying so: leave it as it was, and code the incident as a new record with a "
        "new id (`incidents new`) whose notes cite the old id.",
        "status: withdrawn changed to active",
        "the tombstone left as it was, and a new record",
    ),
    ErrorCode(
        "continuity-unrevised",
        "Values changed without a revision",
        "A published record's values changed without a new revision. Add one (who, when, method, reason, "
        "`fields_changed`), or use `incidents correct`.",
        "fatalities_best: 4 -> 5 with the same revisions",
        "a new revision for the change",
    ),
    ErrorCode(
        "manifest-unreadable",
        "The last release's manifest cannot be read",
        "The last release's manifest (`releases/vX.Y.Z.json`) cannot be read, so nothing can be checked against "
        "it. Restore it as `incidents release` wrote it.",
        "releases/v1.2.0.json cut short",
        "releases/vX.Y.Z.json as written by `incidents release`",
    ),
    ErrorCode(
        "url-scheme",
        "A URL that is not a web address",
        "A `url` (of a source or a citation) is not an http or https URL: a `javascript:` or `data:` URL would "
        "run or show something else when a reader follows the link on the site, and a bare `www.` address "
        "leads nowhere. Give the address as the browser shows it, starting with `https://`, or leave it empty.",
        "url: javascript:alert(1)",
        "an http or https URL, or no value",
    ),
    ErrorCode(
        "hidden-file",
        "A hidden file under data/",
        "A file in `data/records/`, `data/actors/` or `data/sources/` whose name starts with a dot (an editor's "
        "swap file, or a record kept out of sight). It is never read, so it is reported rather than skipped: "
        "remove it, or rename it `<id>.yaml` if it is a record.",
        "data/records/.inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S.yaml",
        "only <id>.yaml files (and <id>.txt for sources), none hidden",
    ),
    ErrorCode(
        "special-file",
        "A FIFO, socket or device under data/",
        "A contributed file (or an archived text) is a special file: a FIFO (named pipe), a socket or a device. "
        "It is refused from its file type, without being opened (opening a FIFO would wait forever). Replace it"
        " with a regular file.",
        "mkfifo data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T1S.yaml",
        "a regular file",
    ),
    ErrorCode(
        "orphan-file",
        "A file in data/sources/ no metadata names",
        "Every file in `data/sources/` is a source's metadata (`<id>.yaml`) or the archived text it names "
        "(`archive_path`, `<id>.txt`). A text without its metadata is refused unread, whatever its size: add "
        "the metadata with `incidents ingest`, or delete the file.",
        "a 30 MB binary named <sha256>.txt with no <sha256>.yaml",
        "every file under data/sources/ named by a source's metadata (archive_path)",
    ),
    ErrorCode(
        "stray-temp-file",
        "A temporary file among the built outputs",
        "A `*.tmp` file lies in `data/tables/` (or a temporary file of an older version of the toolkit at the "
        "root), left by an interrupted write or another tool. The toolkit removes the temporary files it knows "
        "to be its own; this one it cannot vouch for. Delete it when no build is running.",
        "data/tables/incidents.csv.tmp",
        "only the tables `incidents build` writes",
    ),
    ErrorCode(
        "committed-staging",
        "The build's staging folder is committed",
        "`data/.build-staging/`, where a build writes its outputs before swapping them in, is tracked by git. "
        "A commit cannot choose what replaces the built outputs, so the folder is neither used nor removed "
        "and no build runs until it is gone: `git rm -r data/.build-staging`, then `incidents build`.",
        "data/.build-staging/journal.json added with `git add -f`",
        "no staging folder in a commit",
    ),
)
