"""datapackage.json as Data Package v2 words it, read by frictionless' own Python API: codelists as
`categories` with labels, and each Parquet file a table resource with its Table Schema."""

from __future__ import annotations

import json
import shutil

import frictionless
import pytest

from incidents import standard
from incidents.release.verify import frictionless_readable


@pytest.fixture(scope="module")
def package_root(seed_root, tmp_path_factory):
    """The built seed package, copied: frictionless writes nothing, but the session's copy is shared."""
    root = tmp_path_factory.mktemp("descriptor") / "package"
    shutil.copytree(seed_root, root)
    return root


def test_codelist_fields_carry_categories_with_the_codelists_labels(package_root):
    descriptor = json.loads((package_root / "datapackage.json").read_text(encoding="utf-8"))
    incidents = next(r for r in descriptor["resources"] if r["name"] == "incidents")
    fields = {f["name"]: f for f in incidents["schema"]["fields"]}
    rows = standard.load().codelists["event_type"].rows
    assert fields["event_type"]["categories"] == [{"value": r["code"], "label": r["label"]} for r in rows]
    assert set(fields["event_type"]["constraints"]["enum"]) <= {c["value"] for c in fields["event_type"]["categories"]}
    assert not any(key.startswith("x-") for key in fields["event_type"])
    assert all(isinstance(f.get("example", ""), str) for f in fields.values())  # v2 examples are text


def test_frictionless_reads_every_parquet_resource_as_a_table_with_the_csvs_rows(package_root):
    package = frictionless.Package(str(package_root / "datapackage.json"))
    parquet = [r for r in package.resources if r.format == "parquet"]
    assert len(parquet) == len(standard.load().tables) and all(r.type == "table" for r in parquet)
    counts = {}
    for resource in parquet:
        csv = package.get_resource(resource.name.removesuffix("-parquet"))
        assert [f.name for f in csv.schema.fields] == [f.name for f in resource.schema.fields][: len(csv.schema.fields)]
        counts[csv.name] = len(csv.read_rows())
        assert len(resource.read_rows()) == counts[csv.name]
    assert counts["incidents"] == 4 and counts["incident_sources"] > 4


def test_frictionless_validates_the_descriptor_and_its_csv_tables(package_root):
    descriptor = json.loads((package_root / "datapackage.json").read_text(encoding="utf-8"))
    (package_root / "readable.json").write_text(json.dumps(frictionless_readable(descriptor)), encoding="utf-8")
    report = frictionless.validate(str(package_root / "readable.json"))
    assert report.valid, report.flatten(["name", "type", "note"])[:10]


def test_dcat_from_the_descriptor_reads_as_a_dcat_dataset_with_a_distribution_per_resource(package_root):
    from rdflib import RDF, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    from incidents.release import metadata

    descriptor = json.loads((package_root / "datapackage.json").read_text(encoding="utf-8"))
    base = "https://example.org/open-incidents/"
    graph = Graph().parse(data=json.dumps(metadata.dcat(descriptor, base)), format="json-ld")
    dataset = graph.value(predicate=RDF.type, object=DCAT.Dataset, any=False)
    assert graph.value(dataset, DCTERMS.title) == Literal(descriptor["title"])
    assert graph.value(dataset, DCTERMS.license) == URIRef(descriptor["licenses"][0]["path"])
    media = Namespace("https://www.iana.org/assignments/media-types/")
    found = {
        str(graph.value(d, DCAT.downloadURL)): graph.value(d, DCAT.mediaType)
        for d in graph.objects(dataset, DCAT.distribution)
    }
    assert found == {base + r["path"]: media[r["mediatype"]] for r in descriptor["resources"]}
    assert found[base + "data/tables/incidents.parquet"] == media["application/vnd.apache.parquet"]
