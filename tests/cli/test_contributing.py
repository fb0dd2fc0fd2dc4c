"""The pull-request machinery: CI workflows safe for forks, and pre-commit hooks that run a real command."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from factories import make_dataset, record, write_record
from incidents.build import build
from incidents.cli import cli
from releasing import releasable

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github/workflows").glob("*.yml"))
WORKFLOW_SCHEMA = REPO / "tests/workflow_schema/github-workflow.json"


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


def workflow_problems(path: Path) -> list[str]:
    """Where a workflow breaks GitHub's workflow JSON Schema (SchemaStore's, vendored in tests/workflow_schema so
    the check runs offline). actionlint is not used: tests/workflow_schema/README.md says why."""
    validator = jsonschema.Draft7Validator(json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8")))
    errors = validator.iter_errors(load(path))
    return [f"{path.name}: /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def pasted_expressions(workflow: dict) -> list[str]:
    """`${{ }}` expressions pasted into a step's script: a pull request's title or branch name would run as shell.
    Values must reach scripts through `env:` instead (the injection rule actionlint would check)."""
    return [step["run"] for step in steps(workflow) if "${{" in step.get("run", "")]


def test_there_is_a_validate_and_a_release_workflow():
    assert {p.name for p in WORKFLOWS} == {"validate.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_match_the_github_workflow_schema(path):
    assert workflow_problems(path) == []


JOB = "jobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: ls}]\n"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n", "/jobs/x"),
        ("on: pull_reqest\n" + JOB, "/on"),
        ("on: pull_request\npermissions: {contents: raed}\n" + JOB, "/permissions"),
    ],
    ids=["misspelt key", "unknown event", "unknown permission level"],
)
def test_the_schema_check_catches_a_broken_workflow(tmp_path, text, where):
    broken = tmp_path / "broken.yml"
    broken.write_text(text)
    problems = workflow_problems(broken)
    assert problems and all(p.startswith(f"broken.yml: {where}") for p in problems), problems


def test_the_vendored_workflow_schema_is_the_one_its_readme_names():
    digest = hashlib.sha256(WORKFLOW_SCHEMA.read_bytes()).hexdigest()
    notes = (WORKFLOW_SCHEMA.parent / "README.md").read_text(encoding="utf-8")
    assert digest in notes and "https://json.schemastore.org/github-workflow.json" in notes
    assert "Apache License" in (WORKFLOW_SCHEMA.parent / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_workflow_pastes_an_expression_into_a_script(path):
    assert pasted_expressions(load(path)) == []


def test_the_pasted_expression_check_catches_a_pull_request_title_in_a_script():
    unsafe = yaml.safe_load("jobs:\n  x:\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n")
    assert pasted_expressions(unsafe) == ["echo ${{ github.event.pull_request.title }}"]


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


def test_pull_request_workflow_validates_rebuilds_and_builds_the_docs():
    scripts = run_scripts(load(REPO / ".github/workflows/validate.yml"))
    assert "incidents --root contribution validate --format github" in scripts
    assert "incidents --root contribution build" in scripts
    assert "git -C contribution diff --exit-code -- data/tables datapackage.json" in scripts
    assert "mkdocs build --strict" in scripts
    assert '--changed-since "$BASE_SHA"' in scripts  # git lists the changed files; no file name meets a shell


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
    assert "incidents bundle" in scripts and "incidents verify" in scripts and "gh release create" in scripts


def test_workflow_commands_are_commands_of_the_cli():
    used = set()
    for path in WORKFLOWS:
        used |= set(re.findall(r"\bincidents (?:--root \S+ )?(\w+)", run_scripts(load(path))))
    assert {"validate", "build", "bundle", "verify"} <= used <= set(cli.commands), used - set(cli.commands)


def test_pre_commit_hook_runs_incidents_validate_on_data_files():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["entry"]) == ("incidents-validate", "python", "incidents validate")
    assert re.search(hook["files"], "data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ7T1P.yaml")
    assert not re.search(hook["files"], "tools/incidents/cli/__init__.py")
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    program, command = hook["entry"].split()
    assert program in scripts and command in cli.commands


def test_project_pre_commit_config_uses_ruff_and_the_validate_hook():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "incidents-validate"} <= ids
    # Deleted files never reach a hook that is given file names: both validate hooks run always, on everything.
    (offered,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (local,) = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "incidents-validate"]
    for hook in (offered, local):
        assert (hook["always_run"], hook["pass_filenames"]) == (True, False)


def test_the_project_hook_stops_a_commit_of_a_bad_record_and_names_its_line(pull_request, tmp_path):
    """The local hook of .pre-commit-config.yaml, run by pre-commit itself on a staged record."""
    layout, _ = pull_request
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = [repo for repo in config["repos"] if repo["repo"] == "local"]
    (layout.root / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": local}), encoding="utf-8")
    path = write_record(layout.root, record(NEW, fatalities_best=-1, fatalities_low=0))
    git(layout.root, "add", "-A")
    command = [sys.executable, "-m", "pre_commit", "run", "--files", layout.rel(path)]
    result = run_step(layout.root, " ".join(command), PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("fatalities_best:"))
    assert result.returncode == 1 and f"{layout.rel(path)}:{line}:" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("command", "path"),
    [("validate-config", ".pre-commit-config.yaml"), ("validate-manifest", ".pre-commit-hooks.yaml")],
)
def test_pre_commit_accepts_the_hook_files(command, path):
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", command, str(REPO / path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_installed_wheel_carries_the_schemas_and_every_module_the_hook_needs(tmp_path):
    """pre-commit installs the hook's repository as a wheel, not editable: schemas/ and every subpackage of
    tools/incidents (listed one by one in pyproject.toml, since schemas/ lies outside tools/) must be inside."""
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
    package = [p for p in (REPO / "tools/incidents").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    modules = {p.relative_to(REPO / "tools").as_posix() for p in package}
    assert modules - names == set(), "add the missing packages to [tool.setuptools] packages in pyproject.toml"


def step(workflow: str, name_starts: str) -> str:
    (script,) = [s["run"] for s in steps(load(REPO / workflow)) if s.get("name", "").startswith(name_starts)]
    return script


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def run_step(repo: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A workflow step's script, run by bash as the runner would, with this environment's `incidents`."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    environment = {**os.environ, "PATH": path, **env}
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=repo, env=environment, capture_output=True, text=True
    )


@pytest.fixture
def pull_request(tmp_path):
    """The pull request's checkout, `contribution` in the runner's workspace (tmp_path): a repository with a
    built, committed dataset (the base of the pull request), and its base commit."""
    layout = make_dataset(tmp_path / "contribution")
    assert build(layout.root).problems == []
    git(layout.root, "init", "-q")
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "base")
    return layout, git(layout.root, "rev-parse", "HEAD")


NEW = "inc_01KAXQ8N5D4C3R6E0J2VWZ7T07"


VALIDATE = ".github/workflows/validate.yml"


def test_the_validate_step_annotates_the_changed_record_on_its_line(pull_request):
    layout, base = pull_request
    write_record(layout.root, record(NEW, fatalities_best=-1, fatalities_low=0))
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "a contribution")
    result = run_step(layout.root.parent, step(VALIDATE, "Validate the changed"), BASE_SHA=base)
    assert result.returncode != 0, result.stdout + result.stderr
    text = (layout.records / f"{NEW}.yaml").read_text().splitlines()
    line = next(n for n, t in enumerate(text, 1) if t.startswith("fatalities_best:"))
    assert f"::error file=data/records/{NEW}.yaml,line={line},title=schema-minimum::" in result.stdout


def test_the_validate_step_reports_only_the_changed_files_and_dataset_wide_problems(pull_request):
    layout, base = pull_request
    old = next(layout.records.glob("*.yaml"))
    old.write_text(old.read_text().replace("fatalities_best:", "fatalities_best: -5\nx_old:"), encoding="utf-8")
    git(layout.root, "commit", "-q", "-am", "an old record broken in the base")
    base = git(layout.root, "rev-parse", "HEAD")
    write_record(layout.root, record(NEW, fatalities_best=-1, fatalities_low=0))
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "a contribution")
    result = run_step(layout.root.parent, step(VALIDATE, "Validate the changed"), BASE_SHA=base)
    files = set(re.findall(r"::error file=([^,]+)", result.stdout))
    assert f"data/records/{NEW}.yaml" in files and layout.rel(old) not in files, result.stdout


def test_the_validate_step_checks_an_edited_source_text_through_its_metadata(pull_request):
    layout, base = pull_request
    (text,) = layout.sources.glob("*.txt")
    text.write_text(text.read_text(encoding="utf-8").replace("Police", "Officers"), encoding="utf-8")
    write_record(layout.root, record(NEW))  # with a record in the same pull request, not instead of it
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "a record, and an archived text edited")
    result = run_step(layout.root.parent, step(VALIDATE, "Validate the changed"), BASE_SHA=base)
    metadata = layout.rel(text.with_suffix(".yaml"))
    assert f"::error file={metadata},line=1,title=source-hash::" in result.stdout, result.stdout + result.stderr


def test_the_rebuild_step_fails_when_the_committed_tables_are_stale_and_passes_once_rebuilt(pull_request):
    layout, base = pull_request
    write_record(layout.root, record(NEW))
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "a record, tables not rebuilt")
    rebuild = step(VALIDATE, "Rebuild and check")
    stale = run_step(layout.root.parent, rebuild)
    assert stale.returncode != 0 and "data/tables/incidents.csv" in stale.stdout, stale.stdout + stale.stderr
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "rebuilt")
    for script in (step(VALIDATE, "Validate the changed"), rebuild):
        done = run_step(layout.root.parent, script, BASE_SHA=base)
        assert done.returncode == 0, done.stdout + done.stderr


RELEASE = ".github/workflows/release.yml"


def test_the_release_steps_publish_a_tagged_release_and_refuse_a_tag_whose_files_changed(tmp_path):
    layout = releasable(tmp_path / "repo")
    assert build(layout.root).problems == []
    git(layout.root, "init", "-q")
    cut = run_step(layout.root, "incidents release --date 2026-11-25")
    assert cut.returncode == 0, cut.stdout + cut.stderr
    # The release's last line says how to commit and tag it, and doing so is what the release workflow expects.
    (next_step,) = [line.removeprefix("next: ") for line in cut.stdout.splitlines() if line.startswith("next: ")]
    assert "git tag -a v0.1.0" in next_step
    assert (
        run_step(
            layout.root,
            next_step.split(" (")[0],
            GIT_AUTHOR_NAME="T",
            GIT_AUTHOR_EMAIL="t@example.org",
            GIT_COMMITTER_NAME="T",
            GIT_COMMITTER_EMAIL="t@example.org",
        ).returncode
        == 0
    )
    assert git(layout.root, "tag") == "v0.1.0"
    scripts = [step(RELEASE, "Rebuild and check"), step(RELEASE, "Rebuild the release bundle")]
    for script in scripts:
        done = run_step(layout.root, script, TAG="v0.1.0")
        assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in (layout.root / "dist").glob("*.zip")] == ["test-incidents-v0.1.0.zip"]
    # A later commit tagged v0.1.0 by mistake: its tables no longer match the release's manifest.
    write_record(layout.root, record(NEW))
    assert build(layout.root).problems == []
    git(layout.root, "add", "-A")
    git(layout.root, "commit", "-q", "-m", "a record after the release")
    git(layout.root, "tag", "-f", "v0.1.0")
    refused = run_step(layout.root, scripts[1], TAG="v0.1.0")
    assert refused.returncode != 0 and "data/tables/incidents.csv" in refused.stderr, refused.stdout + refused.stderr


# --- a pull request cannot switch off its own checks (issue 19) ------------------------------------------


def test_every_action_is_pinned_by_commit():
    """A tag can be moved to other code; a commit cannot."""
    for path in WORKFLOWS:
        for used in (s["uses"] for s in steps(load(path)) if "uses" in s):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", used), f"{path.name}: {used}"


def test_the_pull_request_is_checked_out_as_data_beside_the_base_branchs_toolkit():
    workflow = load(REPO / VALIDATE)
    checkouts = [s["with"] for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert [(c["path"], c.get("ref")) for c in checkouts] == [
        ("toolkit", "${{ github.event.pull_request.base.sha }}"),
        ("contribution", None),
    ]
    scripts = run_scripts(workflow)
    assert re.findall(r"pip install\s+(\S+)", scripts) == ['"./toolkit[docs]"']
    assert all("--root contribution" in line for line in scripts.splitlines() if re.search(r"\bincidents \w", line))
    assert re.findall(r"mkdocs build[^\n]*", scripts) == ["mkdocs build --strict -f site-source/mkdocs.yml"]


EVIL = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n"


def test_a_pull_request_that_edits_the_toolkit_and_the_site_config_runs_none_of_it(tmp_path):
    """The workflow's steps, run in a runner's workspace: `toolkit` (the base branch: the site's files and this
    repository's `incidents`, installed) and `contribution`, whose pull request breaks a record and rewrites the
    validator, the mkdocs hook, mkdocs.yml and pyproject.toml to write a marker file (and exit 0) if run."""
    from seed import SITE_FILES, copy_seed

    workspace = tmp_path / "workspace"
    toolkit = workspace / "toolkit"
    for name in SITE_FILES:
        (toolkit / name).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (REPO / name).is_dir() else shutil.copyfile)(REPO / name, toolkit / name)
    git(toolkit, "init", "-q")
    git(toolkit, "add", "-A")
    git(toolkit, "commit", "-q", "-m", "base branch")
    contribution = copy_seed(workspace / "contribution")
    assert build(contribution).problems == []
    git(contribution, "init", "-q")
    git(contribution, "add", "-A")
    git(contribution, "commit", "-q", "-m", "base")
    base = git(contribution, "rev-parse", "HEAD")
    marker = tmp_path / "pull-request-code-ran"
    evil = EVIL.format(marker=str(marker))
    for name in ("tools/incidents/validate/__init__.py", "tools/incidents/cli/mkdocs_hook.py", "evil_hook.py"):
        (contribution / name).parent.mkdir(parents=True, exist_ok=True)
        (contribution / name).write_text(evil + "raise SystemExit(0)\n" * ("validate" in name), encoding="utf-8")
    config = (contribution / "mkdocs.yml").read_text(encoding="utf-8")
    (contribution / "mkdocs.yml").write_text(config.replace("hooks:\n", "hooks:\n  - evil_hook.py\n"), "utf-8")
    (contribution / "pyproject.toml").write_text('[project]\nname = "incidents"\nversion = "6.6.6"\n', "utf-8")
    (broken,) = [p for p in (contribution / "data/records").glob("*.yaml") if p.stem.endswith("1P")]
    broken.write_text(broken.read_text(encoding="utf-8").replace("fatalities_best: ", "fatalities_best: -"), "utf-8")
    git(contribution, "add", "-A")
    git(contribution, "commit", "-q", "-m", "a pull request")

    validated = run_step(workspace, step(VALIDATE, "Validate the changed"), BASE_SHA=base)
    assert validated.returncode != 0 and f"::error file=data/records/{broken.name}," in validated.stdout
    # With the record put right, every later step passes on the base branch's code, and none of the pull
    # request's code has run.
    git(contribution, "checkout", "-q", base, "--", f"data/records/{broken.name}")
    for name in ("Validate the changed", "Rebuild and check", "Build the documentation"):
        done = run_step(workspace, step(VALIDATE, name), BASE_SHA=base)
        assert done.returncode == 0, name + done.stdout + done.stderr
    assert not marker.exists()
    assert (workspace / "site-source/site/data/index.html").is_file()
