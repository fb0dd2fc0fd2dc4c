"""Read a dataset repository's contributed files from disk (the I/O edge of build and validate)."""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from incidents import records
from incidents.core.layout import Layout
from incidents.core.problems import Problem
from incidents.records import Loaded

MAX_SOURCE_BYTES = 5_000_000


@dataclass
class Dataset:
    layout: Layout
    records: list[Loaded] = field(default_factory=list)
    actors: list[Loaded] = field(default_factory=list)
    sources: list[Loaded] = field(default_factory=list)
    package: Loaded | None = None

    def files(self) -> list[Loaded]:
        return [*self.records, *self.actors, *self.sources, *([self.package] if self.package else [])]


def _unread(problem: Problem) -> Loaded:
    """A path refused before reading, with the reason (Problem written out, so docs find its code)."""
    return Loaded(problem.file, problems=[problem])


def _read_folder(layout: Layout, folder: Path, kept: tuple[str, ...] = (".yaml",)) -> list[Loaded]:
    listed = list_folder(layout, folder, kept)
    paths = zip(listed.files.column("path").to_pylist(), listed.files.column("display").to_pylist(), strict=True)
    return listed.refused + [records.read(Path(path), display) for path, display in paths]


LISTED = pa.schema([("path", pa.string()), ("display", pa.string())])  # on disk; as shown, from the repository


@dataclass
class Listed:
    """One folder's files to read, as Arrow columns (a large folder holds a hundred thousand names: a
    Python object per file would cost more than the system calls), and what is refused unread."""

    files: pa.Table  # LISTED, sorted by name
    refused: list[Loaded] = field(default_factory=list)
    infos: dict[str, os.stat_result | None] = field(default_factory=dict)  # by shown path, all but `known`


def list_folder(
    layout: Layout,
    folder: Path,
    kept: tuple[str, ...] = (".yaml",),
    listed: tuple[str, ...] = (".yaml",),
    known: Callable[[], pa.Array | None] | None = None,
) -> Listed:
    """The files of one folder to read (those ending in `listed`, of the kinds `kept` there), and what is
    refused unread. A folder reached through a symbolic link is refused (it could point anywhere), and so
    is anything else in it that would otherwise be silently ignored: a subfolder, a file of another kind, a
    hidden file, a special file (FIFO, socket, device: refused from its lstat, never opened). Files `known`
    gives (shown paths; asked once the names are listed, so git can run meanwhile) are known to be regular
    files (worktree.vouched) and are not stat-ed; every other name is."""
    display = layout.rel(folder)
    where_it_lies = layout.root.resolve() / folder.relative_to(layout.root)
    if folder.is_symlink() or (folder.exists() and folder.resolve() != where_it_lies):
        message, expected = "the folder is, or lies in, a symbolic link", "a regular folder inside the repository"
        return Listed(
            LISTED.empty_table(),
            [
                _unread(
                    Problem(
                        file=display,
                        message=message,
                        expected=expected,
                        code="symlink",
                    )
                )
            ],
        )
    if not folder.exists():
        return Listed(LISTED.empty_table())
    if not folder.is_dir():
        problem = Problem(
            file=display,
            message="a file, not a folder",
            expected="a folder",
            code="stray-file",
        )
        return Listed(LISTED.empty_table(), [_unread(problem)])
    listed_names = os.listdir(folder)
    try:  # one conversion in C; only if a name is not UTF-8 (os.listdir keeps such bytes as surrogates)
        unreadable, names = [], pa.array(listed_names, pa.string())
    except UnicodeEncodeError:
        unreadable = [name for name in listed_names if not _utf8(name)]
        names = pa.array([name for name in listed_names if _utf8(name)], pa.string())
    dotted = pc.starts_with(names, ".")  # names checked as columns: a Python pass per name cost more
    hidden = sorted([*names.filter(dotted).to_pylist(), *(name for name in unreadable if name.startswith("."))])
    unreadable = [name for name in unreadable if not name.startswith(".")]
    names = names.filter(pc.invert(dotted))
    names = names.take(pc.sort_indices(names))
    shown = pc.binary_join_element_wise(f"{display}/", names, "")
    vouched = _within(known() if known is not None else None, f"{display}/")
    unknown = shown if vouched is None else shown.filter(pc.invert(pc.is_in(shown, value_set=vouched)))
    on_disk = os.fspath(folder) + os.sep  # strings: pathlib would cost more than the listing
    infos = {path: _lstat(on_disk + path.rpartition("/")[2]) for path in unknown.to_pylist()}
    special = [found for path, info in infos.items() if info and (found := records.special_file(info, path))]
    unopened = {problem.file for problem in special}
    folders = [path for path, info in infos.items() if info is not None and stat.S_ISDIR(info.st_mode)]
    unlisted = pc.is_in(shown, value_set=pa.array([*folders, *unopened], pa.string()))  # refused, never read
    refused_paths = shown.filter(pc.or_(pc.invert(_ends_with(names, kept)), unlisted)).to_pylist()
    expected = f"only {' and '.join(kept)} files directly in {display}/"
    message = "a subfolder or a file of another kind: it is never read"
    refused = [_unread(problem) for problem in special]
    refused += [
        _unread(Problem(file=path, message=message, expected=expected, code="stray-file"))
        for path in refused_paths
        if path not in unopened
    ]
    refused += [_unread(_not_utf8(f"{display}/{name}")) for name in sorted(unreadable)]
    refused += [_unread(_hidden(f"{display}/{name}", f"{expected}, none hidden")) for name in hidden]
    chosen = pc.and_(_ends_with(names, listed), pc.invert(unlisted))
    files = pa.table([pc.binary_join_element_wise(on_disk, names, "").filter(chosen), shown.filter(chosen)], LISTED)
    refused_set = set(refused_paths)
    return Listed(files, refused, {path: info for path, info in infos.items() if path not in refused_set})


def _within(paths: pa.Array | None, prefix: str) -> pa.Array | None:
    """The paths under `prefix`: a lookup among one folder's paths, not every folder's (hashing git's
    128k paths once per folder was most of the time of listing them)."""
    return None if paths is None else paths.filter(pc.starts_with(paths, prefix))


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_utf8(path: str) -> Problem:
    """A file whose name is not UTF-8, shown with its bytes escaped (it could not be printed as it is)."""
    message, expected = "the file name is not UTF-8: the file is never read", "a file name in UTF-8, `<id>.yaml`"
    return Problem(file=_printable(path), message=message, expected=expected, code="encoding")


def _printable(path: str) -> str:
    """A path as os.listdir gave it, with any bytes that are not UTF-8 escaped."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _hidden(path: str, expected: str) -> Problem:
    """A hidden file (an editor's swap file, or a record kept out of sight): reported, since it is never read."""
    message = "a hidden file (its name starts with a dot): it is never read"
    return Problem(file=_printable(path), message=message, expected=expected, code="hidden-file")


def _ends_with(names: pa.Array, suffixes: tuple[str, ...]) -> pa.Array:
    masks = [pc.ends_with(names, suffix) for suffix in suffixes]
    return functools.reduce(pc.or_, masks)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:  # gone since the folder was listed: reading it will say so
        return None


def read(layout: Layout) -> Dataset:
    """Parse every record, actor and source metadata file. Parse problems stay with each file."""
    package = records.read(layout.package, layout.rel(layout.package)) if layout.package.exists() else None
    return Dataset(
        layout,
        _read_folder(layout, layout.records),
        _read_folder(layout, layout.actors),
        _read_folder(layout, layout.sources, (".yaml", ".txt")),
        package,
    )


@dataclass(frozen=True)
class _Archive:
    """Where archived texts lie, resolved once: resolving a path per source costs more than reading it."""

    layout: Layout
    root: Path  # the repository, resolved
    folder: Path  # data/sources, resolved

    @classmethod
    def of(cls, layout: Layout) -> _Archive:
        return cls(layout, layout.root.resolve(), layout.sources.resolve())

    def rel(self, name: str) -> str:
        """`layout.rel` of a file in data/sources (ids are hex by their schema: a plain file name)."""
        try:
            return (self.folder / name).relative_to(self.root).as_posix()
        except ValueError:
            return str(self.layout.sources / name)


def _source_text(archive: _Archive, meta: dict[str, Any]) -> str | tuple[str, str, str, str]:
    """The archived text of one source, or (what was found, what was expected, code, field)."""
    source_id = meta["source_id"]
    expected_path = archive.rel(f"{source_id}.txt")
    if meta.get("archive_path") != expected_path:
        return f"found {meta.get('archive_path')!r}", repr(expected_path), "archive-path", "archive_path"
    path = archive.layout.source_text(source_id)
    try:
        info = os.lstat(path)  # one system call: what it is, and its size
    except OSError:
        info = None
    if (info and stat.S_ISLNK(info.st_mode)) or not archive.folder.is_relative_to(archive.root):
        return (
            "the archived text is a symbolic link or lies outside the repository",
            "a regular file in data/sources/",
            "path-outside",
            "archive_path",
        )
    special = records.special_kind(info) if info else None
    if special is not None:
        message = f"{expected_path} is {special}, not a regular file"
        return message, "a regular file in data/sources/", "special-file", "archive_path"
    if info is None or not stat.S_ISREG(info.st_mode):
        return (
            f"{expected_path} does not exist",
            "the archived text next to its metadata",
            "missing-file",
            "archive_path",
        )
    size = info.st_size
    if size > MAX_SOURCE_BYTES:
        return f"{expected_path} is {size:,} bytes", f"at most {MAX_SOURCE_BYTES:,} bytes", "too-large", "archive_path"
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != source_id:
        expected = "its sha256 to equal source_id: archived texts never change"
        return f"the archived text hashes to {digest}", expected, "source-hash", "source_id"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return "the archived text is not UTF-8", "UTF-8 text", "encoding", "archive_path"
    if "\0" in text:  # UTF-8, but no text: a binary file would pass the decoding
        return "the archived text holds a NUL byte", "UTF-8 text without NUL bytes", "encoding", "archive_path"
    return text


def read_source_texts(
    layout: Layout, sources: list[dict[str, Any]], files: list[str]
) -> tuple[dict[str, str], list[Problem]]:
    """Load each archived text once, checking it is a regular file inside the repository whose bytes hash
    to its id. Returns the texts by source id and the problems found."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    archive = _Archive.of(layout)
    for meta, display in zip(sources, files, strict=True):
        result = _source_text(archive, meta)
        if isinstance(result, str):
            texts[meta["source_id"]] = result
        else:
            message, expected, code, field_name = result
            problems.append(
                Problem(
                    file=display,
                    record=meta["source_id"],
                    field=field_name,
                    message=message,
                    expected=expected,
                    code=code,
                )
            )
    return texts, problems
