"""The codes `incidents validate` reports on what hostile or careless data can hide: an actor that is its own
ancestor, an incident under a second id, a quote supporting an empty field, text that reorders itself or
hides characters, a published table whose CSV and Parquet files disagree or hold a value not of its
column's type. Kept apart from validate_codes.py to keep each module short."""

from __future__ import annotations

from incidents.standard.error_codes.entry import ErrorCode

INTEGRITY: tuple[ErrorCode, ...] = (
    ErrorCode(
        "value-type",
        "A value that is not of its column's type",
        "A cell of a built table cannot be read as its column's type: a CSV cell `2024-02-30` in a date column, or "
        "a value of a Parquet column written as text by another tool. The other cells are still checked. Rebuild "
        "the table with `incidents build`.",
        "date_start 2024-02-30 in incidents.csv",
        "a value of the column's type (a date YYYY-MM-DD, an integer, a number)",
    ),
    ErrorCode(
        "csv-differs",
        "A CSV table that differs from its Parquet twin",
        "`datapackage.json` publishes each table twice, as CSV and as Parquet, with the same rows. A CSV cell (or "
        "its number of rows) differs from the Parquet file's: one of them was edited or written by another tool. "
        "Rebuild both with `incidents build`.",
        "event_type battle in incidents.csv where incidents.parquet holds armed_clash",
        "the same rows in both files",
    ),
    ErrorCode(
        "actor-cycle",
        "An actor that is its own ancestor",
        "Following `parent_actor_id` from the actor comes back to it (the actor is its own parent, or A's parent is "
        "B and B's is A): the message spells the cycle out, and each actor on it is reported. Make the top "
        "actor's `parent_actor_id` empty.",
        "parent_actor_id: act_A in act_A.yaml",
        "parents that end at an actor without a parent (parent_actor_id: null)",
    ),
    ErrorCode(
        "duplicate-incident",
        "The same incident under a second id",
        "Two active records code the same event (the same dates, place and coordinates, event type, actors with "
        "their roles and fatalities) and quote the same passage of the same source: nothing tells them apart, "
        "and every count would count it twice. Keep one: `incidents merge <id> --into <other id>`.",
        "a record copied to a new file under a new id",
        "one record per incident: merge them with `incidents merge`",
    ),
    ErrorCode(
        "support-empty",
        "A quote that supports an empty field",
        "An evidence item's `supports` lists a field the record leaves empty (null, an empty list, or no actors "
        "for `actors`): it claims evidence for a value that is not there. Remove the field from `supports`, or "
        "fill the field with the value the quote gives.",
        "supports: [injured] with injured: null",
        "supports listing only fields the record fills: remove the field or fill it",
    ),
    ErrorCode(
        "bidi-control",
        "A text that reorders itself",
        "A text holds a right-to-left or left-to-right override, embedding or isolate (U+202A-U+202E, "
        "U+2066-U+2069), which makes it show in another order than it is written: `Militia \\u202eaitilim` shows "
        "as `Militia militia`. Delete the character (the message says where); Arabic text needs none of them.",
        'name: "Militia \\u202Eaitilim"',
        "text in its own order: no bidirectional overrides, embeddings or isolates",
    ),
    ErrorCode(
        "invisible-character",
        "An invisible character in a text",
        "A text holds an invisible format character: a zero-width space or joiner, a word joiner, a byte-order "
        "mark, or another of Unicode's format characters, which make two texts that look the same differ. Delete "
        "it (the message says which and where). Allowed: U+200C (zero-width non-joiner) between two Arabic-script "
        "letters, as Persian and Kurdish spelling needs, and the direction marks U+200E, U+200F and U+061C. "
        "Evidence quotes are exempt: they match the source as archived.",
        'summary: "Militia\\u200b fighters"',
        "visible text: no zero-width or other invisible format characters",
    ),
)
