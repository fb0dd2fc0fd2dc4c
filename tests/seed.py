"""The repository's hand-coded seed, alone: its four Qamishli records, their actors and their archived
report, with the repository's schemas/, docs/ and mkdocs.yml. Tests of the docs and of the seed use it, so
they neither depend on nor wait for the whole imported dataset in data/."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_RECORDS = tuple(f"inc_01KAXQ8N5D4C3R6E0J2VWZ7T1{c}" for c in "PQRS")
SEED_ACTORS = ("act_01KAXQ8N5D4C3R6E0J2VWZ7T1M", "act_01KAXQ8N5D4C3R6E0J2VWZ7T1N")
SEED_SOURCE = "0a0fa0a135c497274d83d7e735eb888e82e0476b45b72cf7d59b87a1e15b7c19"
# What the site needs besides the data: the hook is named by path in mkdocs.yml.
SITE_FILES = ("mkdocs.yml", "docs", "schemas", "tools/incidents/cli/mkdocs_hook.py")


def copy_seed(root: Path) -> Path:
    """A repository at `root` holding the seed records and what the site needs, not yet built."""
    for name in (*SITE_FILES, "data/package.yaml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copyfile
        copy(REPO / name, root / name)
    files = [f"data/records/{r}.yaml" for r in SEED_RECORDS] + [f"data/actors/{a}.yaml" for a in SEED_ACTORS]
    files += [f"data/sources/{SEED_SOURCE}.txt", f"data/sources/{SEED_SOURCE}.yaml"]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, root / name)
    return root
