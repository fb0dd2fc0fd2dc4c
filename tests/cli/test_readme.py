"""The README's promises: the load snippets run, and CI runs the README's own test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_has_three_load_snippets_of_three_lines():
    assert len(SNIPPETS) == 3
    assert all(len(snippet.strip().splitlines()) == 3 for snippet in SNIPPETS)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=["pandas", "polars", "duckdb"])
def test_load_snippet_runs_and_prints_the_seed_incidents(snippet):
    run = subprocess.run([sys.executable, "-c", snippet], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Qamishli" in run.stdout or "battles" in run.stdout


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (REPO / ".ci/run").read_text(encoding="utf-8")
