"""The site for people who download, cite and read: files served with their size and SHA-256, linkable
fields, labels beside codes, titles and status changes in the changelog, citation files, schema.org metadata,
the sitemap, each release's codebook, and the codebook readable at 390 px.

One site is built from the seed with its first release (v0.1.0's manifest) and that release's bundle in
dist/, shared by the tests of this module."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
import urllib.request
from pathlib import Path

import bibtexparser
import pyarrow as pa
import pytest
import rispy
import yaml

from factories import git
from incidents import site as docs
from incidents.cli import cli
from incidents.release import bundle, citation
from incidents.site import citation_formats, incident_pages, release_pages, schema_org, versions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed with release v0.1.0 (its manifest, changelog, citation) and its bundle in dist/, built."""
    from incidents.build import build
    from seed import copy_seed

    root = copy_seed(tmp_path_factory.mktemp("repo"))
    (root / "releases").mkdir()
    manifest = (ROOT / "releases" / "v0.1.0.json").read_bytes()
    (root / "releases" / "v0.1.0.json").write_bytes(manifest)
    for name in ("CHANGELOG.md", "CITATION.cff"):
        shutil.copyfile(ROOT / name, root / name)
    (root / "dist").mkdir()
    zipped = bundle.zip_bytes("open-incidents-v0.1.0", {"manifest.json": manifest, "README": b"x"})
    (root / "dist" / "open-incidents-v0.1.0.zip").write_bytes(zipped)
    assert build(root).problems == []
    return root


@pytest.fixture(scope="module")
def built(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert docs.build_site(repo, out) == 0, "mkdocs build --strict failed: see the warnings above"
    return out


@pytest.fixture(scope="module")
def inputs(repo: Path) -> docs.Inputs:
    return docs.read_inputs(repo, cli)


def _page(built: Path, path: str) -> str:
    return (built / path / "index.html").read_text(encoding="utf-8")


def test_each_download_is_served_and_its_sha256_on_the_downloads_page_is_the_served_files(built, serve):
    page = _page(built, "downloads")
    row = r'<a href="\.\./(files/[^"]+)">[^<]*</a></td>\s*<td>[^<]*</td>\s*<td><code class="checksum">([0-9a-f]{64})<'
    rows = re.findall(row, page)
    listed = dict(rows)
    for path in (
        "files/data/tables/incidents.csv",
        "files/datapackage.json",
        "files/releases/open-incidents-v0.1.0.zip",
    ):
        assert path in listed, f"{path} is not linked with its sha256 on the downloads page"
    with serve(built) as base:
        for path in ("files/data/tables/incidents.parquet", "files/releases/open-incidents-v0.1.0.zip"):
            with urllib.request.urlopen(f"{base}/{path}") as response:
                assert hashlib.sha256(response.read()).hexdigest() == listed[path]
    assert 'href="../files/datapackage.json"' in _page(built, "get-the-data")


def test_a_bundle_in_dist_that_is_not_the_releases_is_not_served_but_linked_on_github(repo, inputs, tmp_path):
    other = tmp_path / "repo"
    shutil.copytree(repo, other)
    (other / "dist" / "open-incidents-v0.1.0.zip").write_bytes(
        bundle.zip_bytes("open-incidents-v0.1.0", {"manifest.json": b"{}"})
    )
    served = docs.read_downloads(other, inputs)
    assert not any(d.path.endswith(".zip") for d in served)
    page = release_pages.downloads_page(inputs, served)
    assert "releases/download/v0.1.0/open-incidents-v0.1.0.zip" in page


def test_codebook_rows_are_anchors_and_an_incident_page_links_each_field_to_its_row(built):
    codebook = _page(built, "codebook/incidents")
    anchors = set(re.findall(r'<a href="#(\w+)" id="(\w+)"', codebook))
    assert ("fatalities_best", "fatalities_best") in anchors
    incident = next((built / "data" / "incidents").glob("inc_*/index.html")).read_text(encoding="utf-8")
    targets = set(re.findall(r'href="\.\./\.\./\.\./codebook/incidents/#(\w+)"', incident))
    assert "fatalities_best" in targets and targets <= {a for a, _ in anchors}


def test_incident_page_shows_each_codes_label_with_the_code_beside_it(built):
    pages = [p.read_text(encoding="utf-8") for p in (built / "data" / "incidents").glob("inc_*/index.html")]
    assert any("Strategic developments (<code>strategic_developments</code>)" in p for p in pages)
    assert all("Exact place (<code>exact_place</code>)" in p or "exact_place" not in p for p in pages)


def _with_tombstone(inputs: docs.Inputs, reason: str) -> tuple[docs.Inputs, str]:
    table = inputs.tables["incidents"]
    iid = table.column("incident_id")[0].as_py()
    status = ["withdrawn"] + table.column("status").to_pylist()[1:]
    reasons = [reason] + table.column("status_reason").to_pylist()[1:]
    table = table.set_column(table.schema.get_field_index("status"), "status", pa.array(status))
    table = table.set_column(table.schema.get_field_index("status_reason"), "status_reason", pa.array(reasons))
    changelog = f"# Changelog\n\n## v0.1.0 (2026-11-25)\n\n- Added (1): {iid}\n"
    return dataclasses.replace(inputs, tables={**inputs.tables, "incidents": table}, changelog=changelog), iid


def test_changes_page_names_each_incident_by_its_title_and_lists_status_changes_escaped(inputs):
    changed, iid = _with_tombstone(inputs, "<script>alert(1)</script> duplicate of the [other] report")
    page = release_pages.changes_page(changed, False)
    row = next(r for r in changed.tables["incidents"].to_pylist() if r["incident_id"] == iid)
    title = incident_pages.incident_title(changed.standard, row)
    assert f"[{iid}](data/incidents/{iid}.md) ({title})" in page.replace("\\_", "_")
    assert "Withdrawn and merged records" in page and "withdrawn" in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "&#91;other&#93;" in page


def test_sources_page_says_plainly_that_no_publication_date_was_given(inputs):
    page = incident_pages.sources_page(inputs)
    assert "publication date not given" in page and "unknown (unknown)" not in page


def test_citation_files_parse_as_bibtex_ris_and_csl_json_for_the_dataset_and_each_version(built):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    cite = built / "files" / "cite"
    for version in ("", "-v0.1.0"):
        bib = (cite / f"open-incidents{version}.bib").read_text(encoding="utf-8")
        entry = bibtexparser.parse_string(bib).entries[0]
        assert entry.entry_type == "misc" and cff["title"] in entry["title"]
        assert entry["version"] == (version[2:] or str(cff["version"]))
        ris = rispy.loads((cite / f"open-incidents{version}.ris").read_text(encoding="utf-8"))[0]
        assert ris["type_of_reference"] == "DATA" and ris["title"] == cff["title"]
        csl = json.loads((cite / f"open-incidents{version}.json").read_text(encoding="utf-8"))[0]
        assert csl["type"] == "dataset" and csl["version"] == entry["version"] and csl["issued"]["date-parts"][0][0]
    ucdp = bibtexparser.parse_string((cite / "references.bib").read_text(encoding="utf-8"))
    assert {e["doi"] for e in ucdp.entries if "doi" in e} == {"10.1177/0022343313484347"}
    page = html.unescape(re.sub(r"<[^>]+>", "", _page(built, "downloads")))
    assert "@misc{open-incidents-0.2.0," in page and "TY  - DATA" in page and '"type": "dataset"' in page


def test_bibtex_values_cannot_break_out_of_their_entry():
    cff = {"title": "A } @misc{x, title={owned", "version": "1.0.0", "authors": [{"name": "A & B {C}"}]}
    library = bibtexparser.parse_string(citation_formats.bibtex(cff, "d"))
    assert len(library.entries) == 1 and not library.failed_blocks
    assert "owned" in library.entries[0]["title"]


def test_zenodo_json_is_made_from_citation_cff_and_in_step_with_it():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert (ROOT / ".zenodo.json").read_text(encoding="utf-8") == citation.zenodo_json(cff), (
        ".zenodo.json is not CITATION.cff's: incidents release writes it with CITATION.cff"
    )
    meta = json.loads(citation.zenodo_json(cff))
    assert meta["version"] == cff["version"] and meta["upload_type"] == "dataset" and meta["creators"]


def test_home_page_has_schema_org_dataset_json_ld_with_what_dataset_search_needs(built):
    home = _page(built, ".")
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', home, re.S)
    assert len(found) == 1
    data = json.loads(found[0])
    assert data["@type"] == "Dataset" and data["name"] and len(data["description"]) >= 50
    for key in ("license", "creator", "version", "datePublished", "spatialCoverage", "distribution", "citation"):
        assert data.get(key), key
    formats = {d["encodingFormat"] for d in data["distribution"]}
    assert {"text/csv", "application/vnd.apache.parquet"} <= formats
    assert all(d["contentUrl"].startswith("https://") for d in data["distribution"])


def test_json_ld_cannot_end_its_script_element(inputs):
    hostile = dataclasses.replace(inputs, citation={"title": "x</script><script>alert(1)</script>"})
    text = schema_org.script(schema_org.dataset(hostile, [], None))
    assert text.count("</script>") == 1 and text.rstrip().endswith("</script>")
    inner = text.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(inner)["name"] == "x</script><script>alert(1)</script>"


def test_sitemap_lists_the_pages_at_the_site_url_from_the_package_homepage(built):
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert len(locations) > 10
    assert "https://open-incidents.github.io/open-incidents/codebook/incidents/" in locations


def test_a_release_codebook_is_read_from_the_release_commit_with_a_version_selector(repo, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(repo, root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "release")
    git(root, "tag", "v0.1.0")
    schema = root / "schemas" / "tables" / "incidents.json"
    spec = json.loads(schema.read_text(encoding="utf-8"))
    was = spec["fields"][0]["description"]
    spec["fields"][0]["description"] = "Changed after the release."
    schema.write_text(json.dumps(spec), encoding="utf-8")
    manifest = json.loads((root / "releases" / "v0.1.0.json").read_text(encoding="utf-8"))
    standards = versions.read_release_standards(root, {"v0.1.0": manifest})
    assert standards["v0.1.0"].from_commit
    latest = docs.read_inputs(root).standard
    pages = versions.version_pages({"v0.1.0": manifest}, standards, latest)
    page = pages["v0.1.0/codebook/incidents.md"]
    assert html.unescape(was) in page and "Changed after the release." not in page
    assert "Version: [latest](../../codebook/incidents.md) · **v0.1.0**" in page
    assert "v0.1.0/standard/tables/incidents.json" in pages


def test_without_the_release_commit_its_codebook_comes_from_the_manifest_snapshot(repo, built):
    manifest = json.loads((repo / "releases" / "v0.1.0.json").read_text(encoding="utf-8"))
    standards = versions.read_release_standards(repo, {"v0.1.0": manifest})  # the seed copy has no git
    assert not standards["v0.1.0"].from_commit
    fields = set(manifest["schema"]["tables"]["incidents"]["fields"])
    codebook = _page(built, "v0.1.0/codebook/incidents")
    assert fields <= set(re.findall(r'id="(\w+)"', codebook))
    assert "incident_citations" not in manifest["schema"]["tables"]
    assert not (built / "v0.1.0" / "codebook" / "incident_citations").exists()
    assert "v0.1.0" in _page(built, "versions")


def test_codebook_description_and_code_blocks_fit_390_px(built, serve, browser):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        with serve(built) as base:
            browser.get(f"{base}/codebook/incidents/")
            width = browser.execute_script("return document.scrollingElement.scrollWidth")
            right = browser.execute_script(
                "return document.querySelector('.codebook-fields td:nth-child(4)').getBoundingClientRect().right"
            )
            assert width <= 392 and right <= 392, (width, right)
            browser.get(f"{base}/get-the-data/")
            assert browser.execute_script("return document.scrollingElement.scrollWidth") <= 392
            boxes = browser.execute_script(
                "return [...document.querySelectorAll('pre > code')].filter(c => c.offsetParent)"
                ".map(c => [c.getBoundingClientRect().right, c.scrollWidth > c.clientWidth,"
                " getComputedStyle(c).overflowX])"
            )
            assert boxes
            for right, overflows, overflow in boxes:
                assert right <= 392 and (not overflows or overflow in ("auto", "scroll")), (right, overflows, overflow)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_site_serves_dcat_made_from_the_descriptor_whose_download_urls_are_its_files(built):
    """A catalogue (CKAN, HDX, data.europa.eu) harvests files/dcat.jsonld: read with rdflib, a dcat:Dataset
    whose every distribution is a resource of datapackage.json, downloadable from the site at that URL."""
    from rdflib import RDF, Graph
    from rdflib.namespace import DCAT, DCTERMS

    graph = Graph().parse(data=(built / "files/dcat.jsonld").read_text(encoding="utf-8"), format="json-ld")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert graph.value(dataset, DCTERMS.title) is not None and graph.value(dataset, DCTERMS.license) is not None
    descriptor = json.loads((built / "files/datapackage.json").read_text(encoding="utf-8"))
    urls = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(dataset, DCAT.distribution)}
    site_url = "https://open-incidents.github.io/open-incidents/"
    assert urls == {f"{site_url}files/{r['path']}" for r in descriptor["resources"]}
    assert all((built / url.removeprefix(site_url)).is_file() for url in urls)
