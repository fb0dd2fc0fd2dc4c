"""The site's own scripts and styles and the libraries and map data they use (assets/, vendored with their
licences and hashes in assets/vendor/README.md), served with the site: no page loads anything from a CDN."""

from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"


def asset_files(folder: Path = ASSETS) -> dict[str, bytes]:
    """Every file under assets/ by its path in the site (`assets/...`); the vendor README, which says where
    the files come from, is for the repository's readers, not a page of the site."""
    return {
        f"assets/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "README.md" and not path.name.startswith(".")
    }


def assets_html(root: str, scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()) -> str:
    """The tags that load scripts and styles (and the site's incidents.css) from assets/ under `root`, the
    page's way back to the site's root."""
    links = [f'<link rel="stylesheet" href="{root}assets/{s}">' for s in (*styles, "incidents/incidents.css")]
    tags = [f'<script src="{root}assets/{s}" defer></script>' for s in scripts]
    return "\n".join(links + tags) + "\n\n"
