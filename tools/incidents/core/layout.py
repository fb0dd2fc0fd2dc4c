"""Where things live in a dataset repository. One place, so that no path is spelled twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        """Hand-written package metadata (name, title, licences, contributors) the build copies."""
        return self.data / "package.yaml"

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
