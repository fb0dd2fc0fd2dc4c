"""Anything -> a list of problems. Validation reports everything a contributor can get wrong, at once.

Layers, each run on whatever the previous one let through:
1. files: size, encoding, safe YAML (records.parse);
2. each file against its JSON Schema (derived from schemas/); a file that fails goes on with the values
   that failed left out (left_out), so that one run reports all its mistakes;
3. the dataset as tables: codelists, keys, cross-field rules, evidence (checks, column by column);
4. built tables and descriptor in step with the records (build.encode's bytes compared with the files), on
   the whole dataset only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from incidents import records, standard
from incidents.build import encode
from incidents.core.layout import Layout, stem
from incidents.core.problems import Problem
from incidents.core.problems import sort as sort_problems
from incidents.incremental import build_cache as cache
from incidents.incremental import changed_since as changed
from incidents.incremental import file_scan as scan
from incidents.incremental import kept_outputs as outputs_
from incidents.incremental import touched_rows as touched
from incidents.records import dataset
from incidents.release import manifest
from incidents.validate import continuity, engines, left_out
from incidents.validate import history_vs_git as history
from incidents.validate import locate as rows
from incidents.validate import rules as checks
from incidents.validate import schema_layer as schemacheck


def _in_data(layout: Layout, paths: Iterable[Path]) -> tuple[set[str], list[Problem]]:
    """Display paths of the files to report on; paths outside data/ are problems, never read."""
    data = layout.data.resolve()
    chosen: set[str] = set()
    problems = []
    for path in paths:
        resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not resolved.is_relative_to(data):
            problems.append(
                Problem(
                    file=str(path),
                    message="the path lies outside data/",
                    expected="a record, actor or source file under data/",
                    code="path-outside",
                )
            )
        elif resolved.is_dir():
            chosen.update(layout.rel(p) for p in resolved.rglob("*.yaml"))
        elif not resolved.exists():
            problems.append(
                Problem(
                    file=str(path),
                    message="no such file",
                    expected="an existing file under data/",
                    code="missing-file",
                )
            )
        else:
            chosen.add(layout.rel(resolved))
    return chosen, problems


@dataclass
class Checked:
    """The dataset's tables as built from the files that passed their schemas, and every problem found."""

    layout: Layout
    tables: dict[str, pa.Table]  # the standard's tables in build order, with `_file` and `_pos` columns
    package: dict[str, Any]
    problems: list[Problem]
    good: dict[str, list[str]]  # by kind, the files whose rows are in `tables`
    outputs: dict[Path, bytes]  # what `incidents build` writes from them (when there is no problem), but `kept`
    fingerprints: dict[str, str]  # what each table's outputs were made from (encode.fingerprint)
    kept: dict[Path, outputs_.Kept] = field(default_factory=dict)  # outputs the last build wrote, still as written

    @cached_property
    def data(self) -> dict[str, list[dict[str, Any]]]:
        """The good files' data as parsed: read again, for the few commands that need the records as dicts."""
        root = self.layout.root
        return {kind: [records.read(root / path, path).data for path in paths] for kind, paths in self.good.items()}


def check_dataset(layout: Layout, today: dt.date, use_cache: bool = True) -> Checked:
    """Layers 1-3 on the whole dataset: files, schemas, then the column checks on its tables (after a clean
    check recorded in the cache, the rules on rows only for the rows a change touches: `touched`)."""
    engines.use_jemalloc()
    with engines.collector_paused(), engines.without_pandas():  # pyarrow would import it, for nothing
        return _check_dataset(layout, today, use_cache)


def _check_dataset(layout: Layout, today: dt.date, use_cache: bool) -> Checked:
    std = standard.load()
    scanned = scan.scan(layout, use_cache)
    problems = list(scanned.problems)
    package = records.read(layout.package, layout.rel(layout.package)) if layout.package.exists() else None
    problems += package.problems if package else []
    files = scanned.files
    good = {
        kind: files.filter(pc.and_kleene(files.column("rows"), pc.equal(files.column("kind"), kind)))
        .column("path")
        .to_pylist()
        for kind in schemacheck.KINDS
    }
    others = [name for name in standard.TABLES if name != "sources"]
    largest = max(others, key=lambda name: scanned.rows[name].num_rows)
    others.remove(largest)
    with ThreadPoolExecutor(2) as pool:  # the large tables sort on both cores while the texts are read
        ordering = [
            pool.submit(rows.in_build_order, std, scanned.rows, scanned.live, part) for part in ([largest], others)
        ]
        sources = rows.in_build_order(std, scanned.rows, scanned.live, ["sources"])["sources"]
        if scanned.changed is None:
            texts, text_problems = _source_texts(layout, sources)
        ordered = {**ordering[0].result(), **ordering[1].result(), "sources": sources}
    built = {name: ordered[name] for name in standard.TABLES}
    package_data = package.data if package and not package.problems else {}
    earlier = outputs_.reuse(layout) if use_cache else None
    with ThreadPoolExecutor(1) as pool:  # Arrow writes the outputs on the other core while the checks run
        rendering = pool.submit(encode.render_outputs, layout, built, package_data, earlier)
        part = None  # after a clean check, only the rows a change touches are checked again (touched.scope)
        if scanned.changed is not None:
            scope = touched.scope(std, built, scanned.changed)
            part = {name: table.filter(scope[name]) for name, table in built.items()}
            cited = pc.is_in(sources.column("source_id"), value_set=part["incident_sources"].column("source_id"))
            texts, text_problems = _source_texts(layout, sources.filter(pc.or_(scope["sources"], cited)))
        reread = rows.Reread(layout)
        text_problems = left_out.follow_ons_dropped(text_problems, scanned.left_out)  # e.g. archive_path left out
        problems.extend(p.with_location(p.file, reread.line(p.file, p.field or "source_id")) for p in text_problems)
        found = [
            rows.locate(found, where[found.table], reread) for found, where in _findings(std, built, part, texts, today)
        ]
        problems += left_out.follow_ons_dropped(found, scanned.left_out)
        problems.extend(check_continuity(layout, files, reread))
        try:
            rendered = rendering.result()
        except Exception:
            if not problems:  # rows with problems may not render; rows without must
                raise
            rendered = encode.Rendered({}, {})
    segments = scanned.segments()  # waited for even when not verified: the build ends with its cache written
    if not problems and segments is not None:
        cache.mark_verified(layout, std, scanned.fingerprints, segments)
    return Checked(layout, built, package_data, problems, good, rendered.files, rendered.fingerprints, rendered.kept)


def _source_texts(layout: Layout, sources: pa.Table) -> tuple[dict[str, str], list[Problem]]:
    metadata = sources.select(["source_id", "archive_path"]).to_pylist()
    return dataset.read_source_texts(layout, metadata, sources.column("_file").to_pylist())


def _findings(
    std: standard.Standard,
    built: dict[str, pa.Table],
    part: dict[str, pa.Table] | None,
    texts: dict[str, str],
    today: dt.date,
) -> Iterator[tuple[checks.Finding, dict[str, pa.Table]]]:
    """Every rule's findings, each with the tables its row numbers refer to: where `part` is given (the rows
    a change touched), every rule runs on it, the rules across the dataset looking up ids in all of it."""
    plain = {name: table.drop_columns(["_file", "_pos"]) for name, table in built.items()}
    if part is None:
        yield from ((found, built) for found in checks.check_all(std, plain, texts, today))
        return
    some = {name: table.drop_columns(["_file", "_pos"]) for name, table in part.items()}
    for rule in [*checks.row_checks(std, some, texts, today), *checks.key_checks(std, some, plain)]:
        yield from ((found, part) for found in rule())


def check_continuity(layout: Layout, files: pa.Table, reread: rows.Reread) -> list[Problem]:
    """Nothing of the last release is lost or rewritten (continuity.check against its manifest)."""
    try:
        last = manifest.latest(layout)
        if last is None:
            return []
        records_ = files.filter(pc.equal(files.column("kind"), "record"))
        present = {stem(path) for path in records_.column("path").to_pylist()}
        present.update(i for i in records_.column("incident_id").to_pylist() if i)
        fields = ("path", "status", "numbers", "history", "status_changed", "content")
        states = {
            row["incident_id"]: continuity.State(**{k: row[k] for k in fields})
            for row in records_.filter(records_.column("rows")).select(["incident_id", *fields]).to_pylist()
        }
        return continuity.check_states(last, layout.rel(last.path), states, present, reread.line)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return [
            Problem(
                file=layout.rel(layout.releases),
                message=f"the last release manifest cannot be read: {type(exc).__name__}: {exc}",
                expected="releases/vX.Y.Z.json as written by `incidents release`",
                code="manifest-unreadable",
            )
        ]


def validate(
    root: Path, paths: list[Path] | None = None, today: dt.date | None = None, changed_since: str | None = None
) -> list[Problem]:
    """Every problem in the dataset at `root`; with `paths`, those in the given files and dataset-wide ones;
    with `changed_since`, those of the files changed since that git revision (changed.check_changed). Either
    way, the record files against their committed history (history.check: HEAD, or REF's merge base)."""
    layout = Layout(root)
    now = dt.datetime.now(dt.UTC)
    today = today or now.date()
    with ThreadPoolExecutor(1) as pool:  # git reads the history while the dataset is checked
        base = changed_since or "HEAD"
        against_history = pool.submit(history.check, layout, base, now, merge_base=changed_since is not None)
        if changed_since is not None:
            problems = changed.check_changed(layout, changed_since, today)
        else:
            checked = check_dataset(layout, today)
            problems = checked.problems
            if not problems and layout.descriptor.exists() and paths is None:  # named files: not the outputs
                problems = check_outputs_in_step(layout, checked)
        problems += against_history.result()
    if paths is not None:
        chosen, path_problems = _in_data(layout, paths)
        folders = {folder for file in chosen for folder in _parents(file)}  # a stray folder holding a chosen file
        problems = [p for p in problems if p.file in chosen | folders or not p.file.startswith("data/")]
        problems += path_problems
    return sort_problems(problems)


def _parents(file: str) -> list[str]:
    parts = file.split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts))]


# What to do about a stale build, said the same way for a missing and a changed file.
REBUILD = "the output of `incidents build`: run `incidents build` and commit the result"


def check_outputs_in_step(layout: Layout, checked: Checked) -> list[Problem]:
    """The committed tables and descriptor are exactly what `incidents build` makes of the records (the
    files in `checked.kept` were found to be: they hold what a build wrote from the same table). Checked on
    the whole dataset only: a record being written is validated before it is built."""
    problems = []
    for path, content in checked.outputs.items():
        if not path.exists():
            message = "the built file is missing"
        elif path.read_bytes() != content:
            message = "the file differs from what the records build to"
        else:
            continue
        problems.append(Problem(file=layout.rel(path), message=message, expected=REBUILD, code="stale-build"))
    return problems
