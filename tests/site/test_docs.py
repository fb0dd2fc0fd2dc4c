"""The documentation site: generated from schemas/, the built tables and the code, built strictly, and
readable in a real browser (headless Chromium) with no console error, broken link or missing image.

The site is built from the repository's hand-coded seed alone (`seed_root`), not from the whole imported
dataset: fast, and the assertions do not depend on what an import brought in."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pyarrow as pa
import pytest

from incidents import site as docs
from incidents import standard
from incidents.cli import cli
from incidents.site import charts as docs_charts
from incidents.site import cli_reference, codebook, coverage, data_pages, incident_pages, maps, release_pages
from incidents.site import markdown as docs_markdown

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def inputs(seed_root: Path) -> docs.Inputs:
    return docs.read_inputs(seed_root, cli)


@pytest.fixture(scope="module")
def site(seed_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built from the seed with `mkdocs build --strict` (a warning fails the build)."""
    out = tmp_path_factory.mktemp("site")
    assert docs.build_site(seed_root, out) == 0, "mkdocs build --strict failed: see the warnings above"
    return out


# --- generated from the one source of truth ------------------------------------------------------------


def test_codebook_page_lists_every_field_with_its_description_and_type():
    std = standard.load()
    for name in standard.TABLES:
        page = codebook.codebook_table_page(std, name)
        for field in std.fields(name):
            name = field["name"]
            row = next(line for line in page.splitlines() if line.startswith(f"| [`{name}`](#{name}){{ #{name} }} |"))
            assert field["type"] in row and field["description"].replace("|", "\\|") in row


def test_codebook_shows_an_example_for_every_field_that_fits_the_fields_constraints():
    std = standard.load()
    for name in standard.TABLES:
        for field in std.fields(name):
            example = field.get("example")
            assert example is not None, f"schemas/tables/{name}.json: {field['name']} has no example"
            values = example if field["type"] == "list" else [example]
            constraints = field.get("constraints", {})
            for value in values:
                if "pattern" in constraints:
                    assert re.fullmatch(constraints["pattern"], str(value)), (name, field["name"], value)
                if "codelist" in field:
                    assert value in std.codelists[field["codelist"]].codes, (name, field["name"], value)
                if "minimum" in constraints:
                    assert value >= constraints["minimum"], (name, field["name"], value)
                if "maximum" in constraints:
                    assert value <= constraints["maximum"], (name, field["name"], value)


def test_codelists_page_lists_every_code_of_every_codelist():
    std = standard.load()
    page = codebook.codelists_page(std)
    for name, codelist in std.codelists.items():
        assert f"## {name}\n" in page
        for row in codelist.rows:
            assert row["code"] in page and docs_markdown.cell(row["label"]) in page


def test_event_types_page_places_each_sub_event_type_under_its_event_type():
    std = standard.load()
    page = codebook.event_types_page(std)
    for sub in std.codelists["sub_event_type"].rows:
        section = page.split(f"(`{sub['event_type']}`)")[1].split("\n## ")[0]
        assert f"`{sub['code']}`" in section


def _commands(group: click.Group, path: str) -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{path} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{path} {name}")


def test_cli_reference_shows_every_command_and_subcommand_with_its_options():
    page = cli_reference.cli_page(cli)
    commands = dict(_commands(cli, "incidents"))
    assert "incidents import acled" in commands
    for path, command in commands.items():
        section = page.split(f" `{path}`\n\n")[1].split("\n#")[0]
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in section, (path, opt)


def _commands_in_page(text: str) -> Iterator[list[str]]:
    """Each `incidents ...` command line in a page's shell code blocks, continuation lines joined, as words."""
    import shlex

    for block in text.split("```")[1::2]:
        if not block.startswith(("sh\n", "bash\n", "console\n")):
            continue
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if "incidents " in line and not line.lstrip().startswith("#"):
                for part in line.split("&&"):
                    words = shlex.split(part.replace("<", "_").replace(">", "_"))
                    if words and words[0].endswith("incidents"):
                        yield words


@pytest.mark.parametrize("page", ["contribute.md", "importers.md"])
def test_every_command_a_hand_written_page_shows_exists_with_the_options_it_uses(page):
    commands = dict(_commands(cli, "incidents"))
    shown = list(_commands_in_page((ROOT / "docs" / page).read_text(encoding="utf-8")))
    assert shown
    for words in shown:
        path = "incidents"
        for word in words[1:]:
            if f"{path} {word}" not in commands:
                break
            path = f"{path} {word}"
        assert path != "incidents", f"{page}: no such command: {' '.join(words)}"
        options = {opt for param in commands[path].params for opt in getattr(param, "opts", [])}
        used = {w.split("=")[0] for w in words if w.startswith("-")}
        assert used <= options | {"-h", "--help"}, f"{page}: {path} has no option {used - options}"


def _named_in_architecture_page() -> set[str]:
    """Every dotted name of the package the architecture page names in a code span (`incidents.x.y`)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(incidents(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", text))


def test_every_module_path_the_architecture_page_names_exists():
    import importlib

    named = _named_in_architecture_page()
    for stage in ("standard", "validate.schema_layer", "validate.rules", "build.tables", "site.codebook", "importers"):
        assert any(n.startswith(f"incidents.{stage}.") for n in named), stage
    missing = []
    for name in sorted(named):
        parts = name.split(".")
        # the longest prefix that is a module or package under tools/, then attributes of it
        for cut in range(len(parts), 0, -1):
            path = ROOT / "tools" / Path(*parts[:cut])
            if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
                break
        else:
            missing.append(name)
            continue
        target: object = importlib.import_module(".".join(parts[:cut]))
        for attr in parts[cut:]:
            if not hasattr(target, attr):
                missing.append(name)
                break
            target = getattr(target, attr)
    assert missing == []


def test_every_subpackage_and_module_in_the_architecture_table_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = [line.split(" | ") for line in text.splitlines() if re.match(r"\| [^|]+ \| `[a-z_/.]+` \|", line)]
    assert len(rows) >= 10
    package = ROOT / "tools" / "incidents"
    missing = []
    for _, subpackage, holds in rows:
        folder = package / subpackage.strip("`")
        if not folder.exists():
            missing.append(subpackage)
            continue
        for name in re.findall(r"\(`([a-z_]+)`|, `([a-z_]+)`", holds):
            name = next(n for n in name if n)
            if name != folder.name and not ((folder / f"{name}.py").is_file() or (folder / name).is_dir()):
                missing.append(f"{subpackage}: {name}")
    assert missing == []


def test_the_site_never_imports_the_cli():
    """The CLI reference page is made from the command passed in (by incidents.cli.mkdocs_hook), so the site
    does not depend on the CLI, which imports the site for `incidents docs`."""
    import ast

    for path in sorted((ROOT / "tools" / "incidents" / "site").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == "incidents.cli" or n.startswith("incidents.cli.") for n in names), path.name


def test_architecture_page_is_in_the_nav_and_its_diagram_needs_no_network():
    assert "architecture.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "](architecture/pipeline.svg)" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    svg = (ROOT / "docs" / "architecture" / "pipeline.svg").read_text(encoding="utf-8")
    assert "<script" not in svg and "href=" not in svg and "@import" not in svg  # nothing to run or fetch


# --- the data pages ------------------------------------------------------------------------------------


def _incident(**fields: object) -> dict[str, object]:
    return {"status": "active", "event_type": "battles", "date_precision": "day", **fields}


def test_an_unknown_date_is_counted_as_date_unknown_never_in_a_month():
    rows = [
        _incident(date_start=None, date_end=None, date_precision="unknown"),
        _incident(date_start=dt.date(2024, 3, 5), date_end=dt.date(2024, 3, 5)),
        _incident(date_start=dt.date(2024, 1, 1), date_end=dt.date(2024, 12, 31), date_precision="year"),
    ]
    buckets = data_pages.counts_by_month(rows)
    assert list(buckets) == ["2024-03", data_pages.DATE_SPANS, data_pages.DATE_UNKNOWN]
    assert buckets[data_pages.DATE_UNKNOWN]["battles"] == 1


def test_data_page_of_the_seed_says_how_many_dates_are_unknown(inputs):
    page, charts = data_pages.data_index_page(inputs)
    unknown = sum(1 for r in inputs.tables["incidents"].to_pylist() if r["date_start"] is None)
    assert unknown and f"{unknown} of" in page and "date unknown" in page
    assert set(json.loads(charts["data/charts.json"])) == {"by_month", "by_type", "by_actor"}


def test_every_chart_has_a_label_and_a_line_that_reads_its_values_out(inputs):
    page, _ = data_pages.data_index_page(inputs)
    canvases = re.findall(r'<canvas role="img" aria-label="([^"]*)">', page)
    assert len(canvases) == 3 and all(canvases)
    assert page.count('class="chart-readout" aria-live="polite"') == 3


def test_incident_page_shows_each_evidence_quote_and_its_source(inputs):
    row = inputs.tables["incidents"].to_pylist()[0]
    page = incident_pages.incident_page(inputs, row)
    quotes = [e for e in inputs.tables["incident_sources"].to_pylist() if e["incident_id"] == row["incident_id"]]
    assert quotes
    for e in quotes:
        assert docs_markdown.cell(e["quote"]) in page and f"../sources/{e['source_id']}.txt" in page


def test_site_generation_is_deterministic(inputs):
    assert docs.generate(inputs) == docs.generate(inputs)


def test_downloads_page_without_a_release_says_so_and_lists_the_current_checksums(inputs, seed_root):
    unreleased = docs.Inputs(inputs.standard, inputs.tables, inputs.package, inputs.descriptor)
    page = release_pages.downloads_page(unreleased, docs.read_downloads(seed_root, unreleased))
    assert "No release has been cut yet" in page
    for resource in inputs.descriptor["resources"]:
        assert resource["hash"].removeprefix("sha256:") in page


def test_downloads_page_lists_each_release_with_its_bundle_and_each_file_with_its_checksum(inputs):
    manifest = {
        "name": "open-incidents",
        "version": "0.1.0",
        "date": "2026-11-25",
        "previous": None,
        "bump": "minor",
        "counts": {"added": 4, "withdrawn": 0},
        "files": [{"path": "data/tables/incidents.csv", "bytes": 10, "sha256": "ab" * 32}],
    }
    cff = {"title": "Open Incidents", "version": "0.1.0", "authors": [{"name": "Maintainers"}]}
    page = release_pages.downloads_page(
        docs.Inputs(inputs.standard, inputs.tables, inputs.package, None, {"v0.1.0": manifest}, cff)
    )
    cell = docs_markdown.cell
    row = next(line for line in page.splitlines() if line.startswith("| [v0.1.0](v0.1.0/index.md) |"))
    assert cell("2026-11-25") in row and cell("minor (first release)") in row and "4 added" in row
    assert "withdrawn" not in row and cell("open-incidents-v0.1.0.zip") in row
    files = page.split('??? note "v0.1.0: size and SHA-256 of its 1 file"')[1]
    assert f"    | {cell('data/tables/incidents.csv')} | 10 | {docs_markdown.Checksum('ab' * 32)} |" in files
    assert docs_markdown.cell("Version 0.1.0") in page


def test_downloads_page_reads_a_manifest_whose_files_are_keyed_by_path(inputs):
    manifest = {"files": {"datapackage.json": {"sha256": "cd" * 32, "bytes": 5}}}
    page = release_pages.downloads_page(docs.Inputs(inputs.standard, {}, inputs.package, None, {"v1.0.0": manifest}))
    assert "datapackage.json" in page and "cd" * 32 in page


def test_changes_page_links_each_incident_id_to_its_page(inputs):
    incident_id = inputs.tables["incidents"].column("incident_id")[0].as_py()
    unknown = "inc_" + "0" * 26
    changelog = f"# Changelog\n\n## v0.1.0\n\n- Added (2): {incident_id}, {unknown}\n"
    page = release_pages.changes_page(docs.Inputs(inputs.standard, inputs.tables, {}, changelog=changelog), False)
    assert f"[{incident_id}](data/incidents/{incident_id}.md)" in page
    assert f", {unknown}\n" in page


def test_changes_page_without_a_changelog_says_none_was_released(inputs):
    assert "No `CHANGELOG.md` yet" in release_pages.changes_page(docs.Inputs(inputs.standard, {}, {}), False)
    changelog = "# Changelog\n\n## v0.1.0\n\nAdded 4 incidents.\n"
    page = release_pages.changes_page(docs.Inputs(inputs.standard, {}, {}, changelog=changelog), True)
    assert "## v0.1.0" in page and "Added 4 incidents." in page and "versioning.md" in page


def test_changelog_links_into_the_repository_point_at_it_not_at_missing_site_pages(inputs):
    changelog = "## v0.1.0\n\nManifest: [v0.1.0](releases/v0.1.0.json); see [above](#v010).\n"
    package = {"homepage": "https://example.org/repo"}
    page = release_pages.changes_page(docs.Inputs(inputs.standard, {}, package, changelog=changelog), False)
    assert "(https://example.org/repo/blob/main/releases/v0.1.0.json)" in page and "(#v010)" in page
    bare = docs.Inputs(inputs.standard, {}, {}, changelog=changelog)
    assert "Manifest: v0.1.0;" in release_pages.changes_page(bare, False)


def test_links_to_repository_files_lead_to_the_site_page_or_the_repository():
    home = "https://example.org/repo"
    assert docs.repository_links("[policy](docs/versioning.md#bumps)", "CHANGELOG.md", "changes.md", home) == (
        "[policy](versioning.md#bumps)"
    )
    assert docs.repository_links("[log](../../CHANGELOG.md)", "docs/contribute/x.md", "contribute/x.md", None) == (
        "[log](../changes.md)"
    )
    kept = "[codebook](codebook/index.md)"
    assert docs.repository_links(kept, "docs/index.md", "index.md", home, outside_docs_only=True) == kept
    assert docs.repository_links("[LICENSE](../LICENSE)", "docs/index.md", "index.md", home) == (
        "[LICENSE](https://example.org/repo/blob/main/LICENSE)"
    )


def test_event_types_page_gives_acleds_disorder_type_of_every_sub_event_type():
    std = standard.load()
    page = codebook.event_types_page(std)
    for sub in std.codelists["sub_event_type"].rows:
        row = next(line for line in page.splitlines() if line.startswith(f"| `{sub['code']}`<br>"))
        assert docs_markdown.cell(sub["label"]) in row and row.rstrip(" |").endswith(sub["acled_disorder_type"])
    assert "| `event_id_cnty` | `incident_id`, [`external_ids`](incidents.md) |" in page


def test_acled_crosswalk_names_only_tables_and_fields_the_standard_has():
    std = standard.load()
    fields = {f["name"] for name in standard.TABLES for f in std.fields(name)}
    qualified = {f"{name}.{f['name']}" for name in standard.TABLES for f in std.fields(name)}
    for _, here, _ in codebook.ACLED_COLUMNS:
        for name in re.findall(r"`([^`]+)`", here):
            assert name in fields | qualified | set(standard.TABLES), name


def test_records_as_coded_show_every_hand_coded_record_with_its_quotes(inputs):
    page = incident_pages.worked_example_page(inputs)
    manual = {r["incident_id"] for r in inputs.tables["revisions"].to_pylist() if r["method"] == "manual"}
    assert manual and all(f"../data/incidents/{iid}.md" in page for iid in manual)
    assert all(docs_markdown.cell(e["quote"]) in page for e in inputs.tables["incident_sources"].to_pylist())


def _tab_code(page: str, tab: str) -> str:
    block = page.split(f'=== "{tab}"')[1].split("```python\n")[1].split("```")[0]
    return "\n".join(line.removeprefix("    ") for line in block.splitlines())


@pytest.mark.parametrize(
    ("tab", "printed"),
    [("incidents.load", "Qamishli"), ("pandas", "Qamishli"), ("polars", "battles"), ("DuckDB", "Qamishli")],
)
def test_loading_example_on_the_get_the_data_page_runs_on_the_built_tables(
    tab, printed, seed_root, monkeypatch, capsys
):
    code = _tab_code((ROOT / "docs" / "get-the-data.md").read_text(encoding="utf-8"), tab)
    monkeypatch.chdir(seed_root)
    exec(compile(code, f"get-the-data.md ({tab})", "exec"), {})
    assert printed in capsys.readouterr().out


# --- the built site ------------------------------------------------------------------------------------


def test_site_builds_strictly_with_every_page(site, inputs):
    for page in ("index.html", "codebook/incidents/index.html", "data/map/index.html", "cli/index.html"):
        assert (site / page).is_file(), page
    pages = {row["incident_id"] for row in coverage.incident_page_rows(inputs)}
    assert pages == set(inputs.tables["incidents"].column("incident_id").to_pylist())  # the seed: one page each
    for incident_id in pages:
        assert (site / "data" / "incidents" / incident_id / "index.html").is_file()
    assert json.loads((site / "data" / "map" / "towns.json").read_bytes())
    assert json.loads((site / "data" / "explorer" / "incidents.json").read_bytes())["count"] == len(pages)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html and "cdn." not in html


def test_site_builds_strictly_with_a_release_its_changelog_citation_and_versioning_policy(seed_root, tmp_path, inputs):
    """The files a release adds (releases/vX.Y.Z.json, CHANGELOG.md, CITATION.cff, LICENSE files,
    docs/versioning.md) show on the site, which still builds with no warning."""
    shutil.copytree(seed_root, tmp_path, dirs_exist_ok=True)
    incident_id = inputs.tables["incidents"].column("incident_id")[0].as_py()
    manifest = {
        "name": "open-incidents",
        "version": "0.1.0",
        "date": "2026-11-25",
        "previous": None,
        "bump": "minor",
        "counts": {"added": 1},
        "files": [{"path": "data/tables/incidents.csv", "bytes": 10, "sha256": "ab" * 32}],
    }
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "v0.1.0.json").write_text(json.dumps(manifest), encoding="utf-8")
    changelog = (
        "# Changelog\n\nThe policy is in [docs/versioning.md](docs/versioning.md).\n\n"
        f"## v0.1.0 (2026-11-25)\n\n- Added (1): {incident_id}\n"
    )
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    cff = "cff-version: 1.2.0\ntitle: Open Incidents\nversion: 0.1.0\nauthors:\n- name: Maintainers\n"
    (tmp_path / "CITATION.cff").write_text(cff, encoding="utf-8")
    (tmp_path / "LICENSE-DATA").write_text("CC BY 4.0\n", encoding="utf-8")
    policy = (
        "# Versioning\n\nSee the [changelog](../CHANGELOG.md) and [`schemas/`](../schemas/tables/incidents.json).\n"
    )
    (tmp_path / "docs" / "versioning.md").write_text(policy, encoding="utf-8")

    assert docs.build_site(tmp_path, tmp_path / "site") == 0, "mkdocs build --strict failed: see the warnings above"
    downloads = (tmp_path / "site" / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "open-incidents-v0.1.0.zip" in downloads and "ab" * 32 in downloads and "Version 0.1.0" in downloads
    changes = (tmp_path / "site" / "changes" / "index.html").read_text(encoding="utf-8")
    assert f'href="../data/incidents/{incident_id}/"' in changes and 'href="../versioning/"' in changes
    assert (tmp_path / "site" / "versioning" / "index.html").is_file()


@pytest.fixture(scope="module")
def served(site: Path, serve: Any) -> Iterator[str]:
    with serve(site) as base:
        yield base


@functools.cache
def _status(url: str) -> int:
    """The HTTP status of a page of the served site (each link is fetched once for all the pages)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - localhost only
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _first_incident(site: Path) -> str:
    return sorted(p.name for p in (site / "data" / "incidents").iterdir() if p.name.startswith("inc_"))[0]


def _problems_in_browser(driver: Any, served: str, url: str) -> list[str]:
    """What a reader would meet on the page: images that did not load, charts without alt text, internal
    links that lead nowhere, errors in the browser's console."""
    driver.get_log("browser")  # reading the log empties it: what an earlier page left is not counted here
    driver.get(url)
    driver.execute_script("return document.fonts.ready")
    problems = []
    images = driver.execute_script(
        "return [...document.images].map(i => [i.currentSrc || i.src, i.complete, i.naturalWidth, i.alt])"
    )
    for src, complete, width, alt in images:
        if not (complete and width > 0):
            problems.append(f"image {src} did not load")
        if "/charts/" in src and not alt:
            problems.append(f"chart {src} has no alt text")
    links = driver.execute_script("return [...document.querySelectorAll('a[href]')].map(a => a.href)")
    internal = {link.split("#")[0] for link in links if link.startswith(served)}
    problems += [f"broken internal link {link}" for link in sorted(internal) if _status(link) != 200]
    problems += [f"console error: {e['message']}" for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return problems


def test_the_browser_check_catches_a_missing_image_a_broken_link_and_a_console_error(browser, serve, tmp_path):
    page = '<h1>Bad</h1><img src="gone.png" alt="x"><a href="nowhere/">x</a><script>console.error("boom")</script>'
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    with serve(tmp_path) as base:
        problems = "\n".join(_problems_in_browser(browser, base, base + "/"))
    assert "image" in problems and "gone.png" in problems
    assert "broken internal link" in problems and "nowhere/" in problems
    assert "boom" in problems


@pytest.mark.parametrize(
    "name, path",
    [
        ("home", "/"),
        ("codebook", "/codebook/incidents/"),
        ("data", "/data/"),
        ("map", "/data/map/"),
        ("incident", "/data/incidents/{incident}/"),
        ("validator", "/contribute/validator/"),
        ("worked-example", "/contribute/worked-example/"),
        ("seed-report", "/contribute/seed-report/"),
        ("event-types", "/codebook/event-types/"),
        ("get-the-data", "/get-the-data/"),
        ("downloads", "/downloads/"),
        ("codelists", "/codebook/codelists/"),
        ("cli", "/cli/"),
        ("importers", "/importers/"),
        ("changes", "/changes/"),
        ("architecture", "/architecture/"),
    ],
)
def test_page_reads_in_a_browser_with_no_console_error_broken_link_or_missing_image(browser, served, site, name, path):
    driver = browser
    url = served + path.format(incident=_first_incident(site))
    assert _problems_in_browser(driver, served, url) == []
    assert driver.find_element("css selector", "article h1").text, f"{url} has no heading"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 900), 6000))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1280, 900)
    assert urllib.parse.urlparse(driver.current_url).path == urllib.parse.urlparse(url).path


def test_docs_command_fails_with_exit_1_when_the_site_cannot_be_built(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "docs", "--site-dir", str(tmp_path / "site")])
    assert result.exit_code == 1 and "documentation build failed" in result.output


def test_versioning_policy_joins_the_nav_only_when_its_page_exists(tmp_path):
    import types

    from incidents.site import hook as docs_hook

    def config() -> types.SimpleNamespace:
        nav = [{"Changes": [{"Changelog": "changes.md"}]}]
        return types.SimpleNamespace(docs_dir=str(tmp_path), nav=nav, site_url="https://example.org/")

    assert docs_hook.on_config(config()).nav[0]["Changes"] == [{"Changelog": "changes.md"}]
    (tmp_path / "versioning.md").write_text("# Versioning\n", encoding="utf-8")
    assert {"Versioning policy": "versioning.md"} in docs_hook.on_config(config()).nav[0]["Changes"]


def test_a_hand_written_page_linking_to_the_changelog_links_to_the_changes_page(tmp_path):
    import types

    from incidents.site import hook as docs_hook

    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    config = types.SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"))
    page = types.SimpleNamespace(
        file=types.SimpleNamespace(generated_by=None, src_uri="versioning.md"), is_homepage=False
    )
    markdown = "See [`CHANGELOG.md`](../CHANGELOG.md) and the [codebook](codebook/index.md)."
    assert docs_hook.on_page_markdown(markdown, page, config, None) == (
        "See [`CHANGELOG.md`](changes.md) and the [codebook](codebook/index.md)."
    )


# --- a dataset with imported records (the seed, some of its records relabelled as imported) ------------------


def _as_imported(inputs: docs.Inputs, ids: list[str], citations: list[dict[str, Any]] | None = None) -> docs.Inputs:
    """The seed with `ids` made imported from UCDP GED (first revision `imported`, an external id), and
    `citations` as its incident_citations."""
    tables = dict(inputs.tables)
    revisions = tables["revisions"]
    methods = [
        "imported" if iid in ids else method
        for iid, method in zip(
            revisions.column("incident_id").to_pylist(), revisions.column("method").to_pylist(), strict=True
        )
    ]
    at = revisions.schema.get_field_index("method")
    tables["revisions"] = revisions.set_column(at, revisions.schema.field(at), pa.array(methods, pa.string()))
    incidents = tables["incidents"]
    external = [
        [f"ucdp-ged:{n}"] if iid in ids else old
        for n, (iid, old) in enumerate(
            zip(incidents.column("incident_id").to_pylist(), incidents.column("external_ids").to_pylist(), strict=True)
        )
    ]
    at = incidents.schema.get_field_index("external_ids")
    field = incidents.schema.field(at)
    tables["incidents"] = incidents.set_column(at, field, pa.array(external, field.type))
    if citations is not None:
        tables["incident_citations"] = pa.Table.from_pylist(citations, schema=tables["incident_citations"].schema)
    return dataclasses.replace(inputs, tables=tables)


def test_every_record_coded_by_hand_has_a_page_and_imported_ones_until_the_cap(inputs, monkeypatch):
    ids = inputs.tables["incidents"].column("incident_id").to_pylist()
    mixed = _as_imported(inputs, ids[:3])
    monkeypatch.setattr(coverage, "MAX_INCIDENT_PAGES", 2)
    assert [r["incident_id"] for r in coverage.incident_page_rows(mixed)] == [ids[0], ids[3]]
    pages = docs.generate(mixed)
    assert {p for p in pages if p.startswith("data/incidents/inc_")} == {
        f"data/incidents/{ids[0]}.md",
        f"data/incidents/{ids[3]}.md",
    }
    listing = pages["data/incidents/index.md"]
    assert isinstance(listing, str)
    assert "shows 2 of the 4 incidents" in listing and "data/tables/incidents.parquet" in listing
    assert f"({ids[0]}.md)" in listing and f"({ids[1]}.md)" not in listing
    linked = "".join(page for page in pages.values() if isinstance(page, str))
    assert f"{ids[1]}.md" not in linked and f"{ids[2]}.md" not in linked  # no link to a page the site lacks


def test_incident_page_shows_its_citations_and_flags_with_every_value_escaped(inputs):
    ids = inputs.tables["incidents"].column("incident_id").to_pylist()
    title = '<script>alert("x")</script> Shelling | Idlib &amp; Hama'
    citation = {
        "incident_id": ids[0],
        "publisher": "SOHR <b>",
        "published_at": dt.date(2016, 1, 1),
        "title": title,
        "url": "https://example.org/a|b",
    }
    cited = _as_imported(inputs, ids[:1], [citation])
    incidents = cited.tables["incidents"]
    at = incidents.schema.get_field_index("flags")
    flags = [["source_inconsistent"]] + [[] for _ in ids[1:]]
    cited = dataclasses.replace(
        cited,
        tables={**cited.tables, "incidents": incidents.set_column(at, incidents.schema.field(at), [flags])},
    )
    row = cited.tables["incidents"].to_pylist()[0]
    page = incident_pages.incident_page(cited, row)
    section = page.split("## Citations\n")[1].split("\n## ")[0]
    assert docs_markdown.cell(title) in section and docs_markdown.cell("SOHR <b>") in section
    assert "<script>" not in page and "SOHR <b>" not in page and "(https://example.org/a%7Cb)" in section
    label = next(r["label"] for r in cited.standard.codelists["flag"].rows if r["code"] == "source_inconsistent")
    flagged, code = docs_markdown.cell(label), docs_markdown.code("source_inconsistent")
    assert f'!!! warning "Flagged: {flagged} ({code})"' in page
    assert f"| [`flags`](../../codebook/incidents.md#flags) | {flagged} ({code}) |" in page
    other = incident_pages.incident_page(cited, cited.tables["incidents"].to_pylist()[1])
    assert "## Citations" not in other and "Flagged" not in other


def test_coverage_counts_each_origin_and_downloads_credit_ucdp_only_for_its_records(inputs):
    n = inputs.tables["incidents"].num_rows
    publisher = inputs.tables["sources"].column("publisher")[0].as_py()
    coverage = docs.coverage_text(inputs)
    assert f"**{n} incidents**" in coverage and f"{n} coded by hand from reports by {publisher}" in coverage
    assert "UCDP" not in coverage and "## Credit" not in release_pages.downloads_page(inputs)

    ids = inputs.tables["incidents"].column("incident_id").to_pylist()
    mixed = _as_imported(inputs, ids[:3])
    coverage = docs.coverage_text(mixed, "../")
    assert f"{n - 3} coded by hand" in coverage and "3 imported from the UCDP" in coverage
    assert "(../downloads.md#credit)" in coverage
    credit = release_pages.downloads_page(mixed).split("## Credit\n")[1]
    assert "3 incidents" in credit and "CC BY 4.0" in credit
    cell = docs_markdown.cell
    ucdp = 'Sundberg, Ralph and Erik Melander (2013), "Introducing the UCDP Georeferenced Event Dataset"'
    assert cell(ucdp) in credit
    assert cell('Högbladh, Stina (2019), "UCDP GED Codebook version 19.1"') in credit


def test_months_over_years_are_charted_and_each_is_a_row_of_the_table(inputs):
    months = [dt.date(2016 + m // 12, m % 12 + 1, 10) for m in range(48)]
    rows = [_incident(date_start=d, date_end=d) for d in months]
    rows.append(_incident(date_start=dt.date(2016, 1, 30), date_end=dt.date(2016, 2, 5), date_precision="week"))
    buckets = data_pages.counts_by_month(rows)
    assert len(buckets) == 49 and list(buckets)[-1] == data_pages.DATE_SPANS
    data = docs_charts.chart_data(inputs.standard, buckets, {}, collections.Counter(), [])
    assert data["by_month"]["labels"] == list(buckets) and data["by_month"]["fatalities"] == [0] * 49
    page, _ = data_pages.data_index_page(inputs)
    for month in data_pages.counts_by_month(inputs.tables["incidents"].to_pylist()):
        assert f"    | {month} |" in page


def test_map_page_lists_the_busiest_places_up_to_the_cap(inputs, monkeypatch):
    incidents = inputs.tables["incidents"]
    at = incidents.schema.get_field_index("latitude")
    moved = [lat + n for n, lat in enumerate(incidents.column("latitude").to_pylist())]  # a place each
    incidents = incidents.set_column(at, incidents.schema.field(at), pa.array(moved, pa.float64()))
    spread = dataclasses.replace(inputs, tables={**inputs.tables, "incidents": incidents})
    points = maps.map_points(incidents.to_pylist())
    assert len(points) == incidents.num_rows >= 2
    monkeypatch.setattr(data_pages, "MAX_MAP_PLACES", len(points) - 1)
    page, charts = data_pages.map_page(spread)
    assert f"lists the {len(points) - 1} places with the most incidents, of {len(points)}" in page
    place = r"\| (&#45;)?\d+\\?\.\d{5}, -?\d+\.\d{5} \|"  # coordinates (a leading `-` or `1.` escaped)
    assert sum(1 for line in page.splitlines() if re.match(place, line)) == len(points) - 1
    assert set(charts) == {"data/map/towns.json"}


def test_home_page_says_what_the_dataset_holds_from_the_tables(site, inputs):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{inputs.tables['incidents'].num_rows} incidents</strong>" in html
    assert "coded by hand" in html and docs.COVERAGE_MARKER not in html
    assert 'href="contribute/worked-example/"' in html


def test_the_rows_the_pages_share_are_each_tables_own_rows_even_after_a_table_is_replaced():
    """site.inputs keeps each table's rows by its id (with the table, so the id is not reused): the pages
    of a 16k-incident site read the same tables many times. It must give what `to_pylist` gives."""
    import pyarrow as pa

    from incidents.site.inputs import table_rows

    for n in range(40):  # more tables than the memo keeps, each dropped before the next is made
        table = pa.table({"incident_id": [f"inc_{n}", f"inc_{n + 1}"], "n": [n, n + 1]})
        assert table_rows({"incidents": table}, "incidents") == table.to_pylist()
        del table
    assert table_rows({}, "incidents") == []
