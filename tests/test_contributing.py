"""The pull-request machinery: CI workflows safe for forks, and pre-commit hooks that run a real command."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from incidents.cli import cli

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as the boolean True (YAML 1.1); GitHub reads it as the string "on".
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def run_scripts(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Validate against GitHub's workflow JSON Schema (SchemaStore's copy, vendored by check-jsonschema:
    offline). actionlint could not be installed here: its PyPI package downloads the binary at build time."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
    return subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_there_is_a_validate_and_a_release_workflow():
    assert {p.name for p in WORKFLOWS} == {"validate.yml", "release.yml"}


def test_workflows_match_the_github_workflow_schema():
    result = check_jsonschema(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    assert check_jsonschema(broken).returncode != 0


def test_pull_request_workflow_is_safe_for_forks():
    workflow = load(REPO / ".github/workflows/validate.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    text = (REPO / ".github/workflows/validate.yml").read_text(encoding="utf-8")
    assert "pull_request_target" not in re.sub(r"#.*", "", text)
    assert "secrets." not in text
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout"):
            assert step["with"]["persist-credentials"] is False
        # Values from the pull request reach scripts only through env variables, never pasted in.
        assert "${{" not in step.get("run", ""), step


def test_pull_request_workflow_validates_rebuilds_and_builds_the_docs():
    scripts = run_scripts(load(REPO / ".github/workflows/validate.yml"))
    assert "incidents validate --format github" in scripts
    assert "incidents build" in scripts and "git diff --exit-code -- data/tables datapackage.json" in scripts
    assert "mkdocs build --strict" in scripts
    assert "xargs -0" in scripts  # file names with spaces or quotes are passed as data


def test_no_workflow_step_executes_contributed_data():
    for path in WORKFLOWS:
        scripts = run_scripts(load(path))
        assert not re.search(r"(python|sh|bash|source|\.)\s+\S*data/", scripts), path.name


def test_release_workflow_runs_on_version_tags_and_writes_only_releases():
    workflow = load(REPO / ".github/workflows/release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "write"}
    scripts = run_scripts(workflow)
    assert "incidents release" in scripts and "incidents verify" in scripts and "gh release create" in scripts


def test_workflow_commands_are_commands_of_the_cli():
    used = set()
    for path in WORKFLOWS:
        used |= set(re.findall(r"\bincidents (\w+)", run_scripts(load(path))))
    known = set(cli.commands) | {"release", "verify"}  # release and verify land with the releases issue
    assert used <= known, used - known


def test_pre_commit_hook_runs_incidents_validate_on_data_files():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["entry"]) == ("incidents-validate", "python", "incidents validate")
    assert re.search(hook["files"], "data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T1P.yaml")
    assert not re.search(hook["files"], "tools/incidents/cli.py")
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    program, command = hook["entry"].split()
    assert program in scripts and command in cli.commands


def test_project_pre_commit_config_uses_ruff_and_the_validate_hook():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "incidents-validate"} <= ids


@pytest.mark.parametrize(
    ("command", "path"),
    [("validate-config", ".pre-commit-config.yaml"), ("validate-manifest", ".pre-commit-hooks.yaml")],
)
def test_pre_commit_accepts_the_hook_files(command, path):
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", command, str(REPO / path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_installed_wheel_carries_the_schemas_the_hook_needs(tmp_path):
    """pre-commit installs the hook's repository as a wheel, not editable: schemas/ must be inside it."""
    import shutil
    import zipfile

    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, tmp_path / name)
    for folder in ("tools", "schemas"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", "dist", "."]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = REPO / "schemas"
    assert {f"incidents/schemas/{p.relative_to(schemas).as_posix()}" for p in schemas.rglob("*.*")} <= names
