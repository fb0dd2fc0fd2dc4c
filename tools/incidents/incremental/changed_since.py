"""`incidents validate --changed-since REF`: a pull request costs what it changes.

The record, actor and source files changed between REF (its merge base with HEAD) and the working tree
(committed, staged, unstaged and untracked, as git sees them) are checked fully: parsed, schema-checked,
their rows column-checked together with the few files they point at (actors, sources, the record a merge
names), and their evidence read against their sources. The rest of the dataset is never parsed; the
global invariants are checked on file names alone: ids are unique because each file is named for its id
(the file-name check), references point at files that exist, every id of the last release still has its
file, and a record file deleted since REF is reported (with the other history checks, by
validate.history_vs_git). Layer 4 (built outputs in step) needs every record
and is left to `incidents build` or a full `incidents validate`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from incidents import standard
from incidents.core.layout import Layout, stem
from incidents.core.problems import Problem
from incidents.incremental import file_scan as scan
from incidents.records import dataset
from incidents.release import manifest
from incidents.validate import continuity, left_out
from incidents.validate import files as filecheck
from incidents.validate import locate as rows_
from incidents.validate import rules as checks


class ChangedSinceError(Exception):
    """git could not say what changed (not a repository, an unknown REF): a usage error."""


def _git(root: Path, *args: str) -> str:
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError as exc:
        raise ChangedSinceError(f"git could not be run ({exc.strerror})") from None
    if run.returncode:
        raise ChangedSinceError(run.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
    return run.stdout.decode("utf-8")


def changed_paths(root: Path, ref: str) -> set[str]:
    """Paths under data/ (relative to `root`) that differ between the merge base of REF and HEAD and the
    working tree, untracked files included, deleted files included."""
    base = _git(root, "merge-base", "--end-of-options", revision(ref), "HEAD").strip()
    unquoted = ("-c", "core.quotePath=false")
    options = ("--name-only", "--no-renames", "--relative", "-z", "--end-of-options")
    diff = _git(root, *unquoted, "diff", *options, base, "--")  # `--`: a file named like the base is no revision
    untracked = _git(root, *unquoted, "ls-files", "--others", "--exclude-standard", "-z", "--", "data")
    paths = {p for p in (diff + untracked).split("\0") if p}
    return {p for p in paths if p.startswith("data/")}


def revision(ref: str) -> str:
    """REF, if git cannot take it for an option: `--output=x` would make `git diff` write a file. Refused
    here, before any git command; `--end-of-options` stands behind it where git takes a revision."""
    if not ref:
        raise ChangedSinceError("a revision cannot be empty: give a branch, tag or commit, e.g. origin/main")
    if ref.startswith("-"):
        raise ChangedSinceError(
            "a revision cannot start with '-' (git would take it for an option): give a branch, tag or commit, "
            "e.g. origin/main"
        )
    return ref


def check_changed(layout: Layout, ref: str, today: dt.date) -> list[Problem]:
    """Every problem of the files changed since REF, and the global invariants checked on file names."""
    std = standard.load()
    with ThreadPoolExecutor(1) as pool:  # git vouches for the unchanged files while it names the changed ones
        _, known = scan.ask_git(pool, layout)
        paths = changed_paths(layout.root, ref)
        listed = scan.listing(layout, known=known)  # only the files git cannot vouch for are stat-ed
    refused, items = listed.refused, listed.items()
    by_path = {item[2]: item for item in items}
    record_ids = {stem(d) for k, _, d in items if k == "record"}
    chosen = {p for p in paths if p in by_path}
    chosen |= {p.removesuffix(".txt") + ".yaml" for p in paths if p.endswith(".txt")} & by_path.keys()
    release = manifest.latest(layout)
    fresh = filecheck.check_files([by_path[p] for p in sorted(chosen)], fingerprints=release is not None)
    context = filecheck.check_files(_pointed_at(fresh.rows, chosen, by_path), False)
    rows = filecheck.concat([fresh, context], std).rows
    problems = [p for p in refused if _reported(p, paths)] + fresh.problems
    problems += left_out.follow_ons_dropped(_column_problems(layout, std, rows, today, chosen), fresh.left_out)
    if release is not None:
        files = fresh.files.filter(
            pc.and_kleene(fresh.files.column("rows"), pc.equal(fresh.files.column("kind"), "record"))
        )
        fields = ("path", "status", "numbers", "history", "status_changed", "content")
        states = {
            row["incident_id"]: continuity.State(**{k: row[k] for k in fields})
            for row in files.select(["incident_id", *fields]).to_pylist()
        }
        line = rows_.Reread(layout).line
        problems += continuity.check_states(release, layout.rel(release.path), states, record_ids, line)
    return problems


def _reported(refused: Problem, paths: set[str]) -> bool:
    """Whether a file refused unread concerns the change: it changed (or lies in a folder that did), or it is
    an archived text whose metadata changed (deleted); a special file always, as git never names one."""
    if refused.code == "special-file":
        return True
    concerned = {refused.file}
    if refused.code == "orphan-file":
        concerned.add(refused.file.removesuffix(".txt") + ".yaml")
    return any(f in concerned or f.startswith(refused.file + "/") for f in paths)


def _pointed_at(
    rows: dict[str, pa.Table], chosen: set[str], by_path: dict[str, filecheck.Item]
) -> list[filecheck.Item]:
    """Unchanged files the changed rows point at (actors, sources, the record of a merge, and any file
    named for an id a changed file holds), so that the checks between rows see them."""
    wanted: set[str] = set()
    for table, column, folder in (
        ("incident_actors", "actor_id", "actors"),
        ("actors", "parent_actor_id", "actors"),
        ("actors", "actor_id", "actors"),
        ("incident_sources", "source_id", "sources"),
        ("sources", "source_id", "sources"),
        ("incidents", "merged_into", "records"),
        ("incidents", "incident_id", "records"),
    ):
        for value in pc.unique(rows[table].column(column)).to_pylist():
            if isinstance(value, str):
                wanted.add(f"data/{folder}/{value}.yaml")
    return [by_path[p] for p in sorted(wanted - chosen) if p in by_path]


def _column_problems(
    layout: Layout, std: standard.Standard, rows: dict[str, pa.Table], today: dt.date, chosen: set[str]
) -> list[Problem]:
    """The column checks on the changed rows and those they point at; problems of the changed files only."""
    built = rows_.in_build_order(std, rows)
    reread = rows_.Reread(layout)
    sources = built["sources"]
    metadata = sources.select(["source_id", "archive_path"]).to_pylist()
    texts, text_problems = dataset.read_source_texts(layout, metadata, sources.column("_file").to_pylist())
    problems = [p.with_location(p.file, reread.line(p.file, p.field or "source_id")) for p in text_problems]
    plain = {name: t.drop_columns(["_file", "_pos"]) for name, t in built.items()}
    problems += [rows_.locate(f, built[f.table], reread) for f in checks.check_all(std, plain, texts, today)]
    return [p for p in problems if p.file in chosen]
