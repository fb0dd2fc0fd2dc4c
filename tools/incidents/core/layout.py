"""Where things live in a dataset repository. One place, so that no path is spelled twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What makes a folder a dataset: its hand-written package metadata (Layout.package), which every dataset has
# and `incidents build` needs. Said as a contributor reads it, relative to the dataset's root.
DATASET_MARK = "data/package.yaml"


def find_root(start: Path) -> Path | None:
    """The dataset `start` lies in, found as git finds its root: `start` or the first folder above it that
    holds DATASET_MARK; None if no folder up to the file system's root does."""
    here = start.resolve()
    return next((folder for folder in (here, *here.parents) if (folder / DATASET_MARK).is_file()), None)


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def records(self) -> Path:
        return self.data / "records"

    @property
    def actors(self) -> Path:
        return self.data / "actors"

    @property
    def sources(self) -> Path:
        return self.data / "sources"

    @property
    def tables(self) -> Path:
        return self.data / "tables"

    @property
    def package(self) -> Path:
        """Hand-written package metadata (name, title, licences, contributors) the build copies; what makes
        a folder a dataset (DATASET_MARK)."""
        return self.root / DATASET_MARK

    @property
    def descriptor(self) -> Path:
        return self.root / "datapackage.json"

    @property
    def releases(self) -> Path:
        """Release manifests, `vX.Y.Z.json`, committed."""
        return self.root / "releases"

    @property
    def dist(self) -> Path:
        """Release bundles (zip), built and never committed."""
        return self.root / "dist"

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"

    @property
    def citation(self) -> Path:
        return self.root / "CITATION.cff"

    @property
    def zenodo(self) -> Path:
        """The deposit metadata Zenodo reads when it archives a release (written with CITATION.cff)."""
        return self.root / ".zenodo.json"

    @property
    def cache(self) -> Path:
        """What build and validate learnt from files already checked (cache.py); never committed."""
        return self.root / ".incidents-cache"

    @property
    def lock(self) -> Path:
        return self.data / ".build.lock"

    def rel(self, path: Path) -> str:
        """A path as shown to people: relative to the repository root, with forward slashes."""
        try:  # the folder is resolved, the file itself is not: a symlink is shown where it lies, not its target
            return (path.parent.resolve() / path.name).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def source_text(self, source_id: str) -> Path:
        return self.sources / f"{source_id}.txt"

    def source_meta(self, source_id: str) -> Path:
        return self.sources / f"{source_id}.yaml"


def stem(shown: str) -> str:
    """A shown path's file name without its extension (`Path(shown).stem`, the id a file is named for),
    from the string alone: a Path object per file cost most of a check of 100,000 files' names."""
    name = shown.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name
