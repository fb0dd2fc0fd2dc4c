"""The codes of the checks against a record's committed history (validate/history_vs_git.py), reported by
`incidents validate` in a git repository: kept apart from validate_codes.py to keep each module short."""

from __future__ import annotations

from incidents.standard.error_codes.entry import ErrorCode

HISTORY: tuple[ErrorCode, ...] = (
    ErrorCode(
        "id-reused",
        "A deleted id used again",
        "A record file is named for an id that an earlier commit deleted. An id, once used, never describes "
        "another incident: code it as a new record with a new id (`incidents new`). Checked only in a git "
        "repository.",
        "data/records/<id>.yaml deleted in one commit, added again in a later one",
        "a new record with a new id",
    ),
    ErrorCode(
        "history-rewritten",
        "Committed revisions edited",
        "The revisions of the last commit (HEAD; with `--changed-since REF`, of REF's merge base) were edited or "
        "removed. History is only extended: put them back as committed, and let `incidents correct`, "
        "`incidents withdraw` or `incidents merge` add the new one. Checked only in a git repository.",
        "the reason of a committed revision reworded",
        "the committed revisions unchanged, then new ones",
    ),
    ErrorCode(
        "history-unrevised",
        "Values changed since the last commit without a revision",
        "The record's values differ from the last commit's (HEAD; with `--changed-since REF`, REF's merge base) "
        "but no revision was added. After editing by hand, run `incidents correct ID --reason ...`. Checked "
        "only in a git repository.",
        "injured: 1 -> 3 with the same revisions",
        "a new revision for the change",
    ),
    ErrorCode(
        "history-fields-changed",
        "fields_changed does not name what changed",
        "The `fields_changed` of the revisions added since the last commit (together) do not name exactly the "
        "fields whose values changed: a field changed that no revision names, or a revision names a field that "
        "did not change. `incidents correct` finds them by comparing with the last commit. Checked only in a "
        "git repository.",
        "injured: 1 -> 9 with a new revision whose fields_changed is [notes]",
        "fields_changed naming exactly the fields whose values changed",
    ),
    ErrorCode(
        "history-changed-at",
        "A revision dated in the future or before the one before it",
        "A revision added since the last commit has a `changed_at` in the future, or before the `changed_at` "
        "of the revision before it. It is the time the revision was made, in UTC: the bookkeeping commands set "
        "it. Checked only in a git repository.",
        "changed_at: '2099-01-01T00:00:00Z'",
        "the time the revision was made",
    ),
    ErrorCode(
        "tombstone-reactivated",
        "A withdrawn or merged record active again",
        "A record that was withdrawn or merged in the last commit (HEAD; with `--changed-since REF`, REF's merge "
        "base) is active again. A tombstone never becomes active again, even with a revision saying so: leave "
        "it as it was, and code the incident as a new record with a new id (`incidents new`) whose notes cite "
        "the old id. Checked only in a git repository.",
        "status: withdrawn changed to active",
        "the tombstone left as it was, and a new record",
    ),
)
