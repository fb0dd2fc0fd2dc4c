"""`incidents verify` on hostile bundles: one rewritten with its hashes, one naming URLs, zip bombs."""

from __future__ import annotations

import http.server
import io
import json
import re
import struct
import threading
import time
import tracemalloc
import zipfile

import pytest
from click.testing import CliRunner

from incidents.cli import cli
from incidents.records.fingerprints import sha256
from incidents.release import bundle, manifest
from incidents.release.verify import self_consistency_only, verify

FOLDER = "test-incidents-v0.1.0"
SELF_CONSISTENT = (
    ": only self-consistency was checked: the bundle agrees with itself, but anyone could have rewritten it"
    " with its hashes; pass --manifest releases/v0.1.0.json (from the repository) to verify it is the release\n"
)
INSIDE = "a path to a file inside the bundle, such as data/tables/incidents.csv"
PROFILE = "a profile of the Data Package standard (https://datapackage.org/profiles/2.0/...), or none"


def files_of(root):
    return bundle.read(root / f"dist/{FOLDER}.zip")


def zipped(path, files):
    path.write_bytes(bundle.zip_bytes(FOLDER, files))
    return path


def rehashed(files, **changed):
    """The bundle with files replaced and every hash rewritten to match: the descriptor's and the manifest's."""
    files = {**files, **changed}
    descriptor = json.loads(files["datapackage.json"])
    for resource in descriptor["resources"]:
        if resource["path"] in changed:
            content = changed[resource["path"]]
            resource.update(bytes=len(content), hash=f"sha256:{sha256(content)}")
    files["datapackage.json"] = json.dumps(descriptor, indent=2).encode()
    release_manifest = json.loads(files[bundle.MANIFEST])
    for entry in release_manifest["files"]:
        entry.update(bytes=len(files[entry["path"]]), sha256=sha256(files[entry["path"]]))
    files[bundle.MANIFEST] = manifest.dumps(release_manifest)
    return files


def with_descriptor(files, edit):
    descriptor = json.loads(files["datapackage.json"])
    edit(descriptor)
    return {**files, "datapackage.json": json.dumps(descriptor).encode()}


# Group 6: without --manifest, a bundle only shows it agrees with itself.


@pytest.fixture(scope="module")
def rewritten(released, tmp_path_factory):
    files = files_of(released)
    table = files["data/tables/incidents.csv"].replace(b"Khaleej", b"Kkaleej")
    return zipped(
        tmp_path_factory.mktemp("rewritten") / "b.zip", rehashed(files, **{"data/tables/incidents.csv": table})
    )


def test_a_bundle_rewritten_with_its_hashes_agrees_with_itself(rewritten):
    assert verify(rewritten).problems == []


def test_without_a_manifest_verify_says_only_self_consistency_was_checked_and_exits_3(rewritten):
    result = CliRunner().invoke(cli, ["verify", str(rewritten)])
    assert (result.exit_code, result.output) == (3, f"{rewritten}{SELF_CONSISTENT}")


def test_asked_for_self_consistency_only_verify_says_so_and_exits_0(rewritten):
    result = CliRunner().invoke(cli, ["verify", str(rewritten), "--self-consistency-only"])
    assert (result.exit_code, result.output) == (0, f"{rewritten}{SELF_CONSISTENT}")


def test_the_committed_manifest_names_the_rewritten_files(released, rewritten):
    found = verify(rewritten, released / "releases/v0.1.0.json").problems
    assert {(p.file, p.code) for p in found} == {
        ("data/tables/incidents.csv", "verify-changed"),
        ("datapackage.json", "verify-size"),
        ("manifest.json", "verify-changed"),
    }


def test_against_the_committed_manifest_an_intact_bundle_is_verified(released):
    path, committed = released / f"dist/{FOLDER}.zip", released / "releases/v0.1.0.json"
    result = CliRunner().invoke(cli, ["verify", str(path), "--manifest", str(committed)])
    assert (result.exit_code, result.output) == (0, f"{path}: verified against {committed}\n")


@pytest.mark.parametrize(
    ("version", "suggested"),
    [("0.1.0", "v0.1.0"), ("v2.3.4", "v2.3.4"), ("\x1b[31mlatest", "vX.Y.Z"), (None, "vX.Y.Z")],
)
def test_the_suggested_manifest_is_the_bundles_version_when_it_names_one(version, suggested):
    expected = SELF_CONSISTENT.replace("releases/v0.1.0.json", f"releases/{suggested}.json")
    assert f": {self_consistency_only(version)}\n" == expected


def test_a_manifest_listing_files_of_another_shape_is_reported_not_a_crash(released, tmp_path):
    files = files_of(released)
    release_manifest = json.loads(files[bundle.MANIFEST])
    release_manifest["files"][0] = "CHANGELOG.md"
    path = zipped(tmp_path / "b.zip", {**files, bundle.MANIFEST: manifest.dumps(release_manifest)})
    (problem,) = verify(path).problems
    assert (problem.code, problem.message) == (
        "verify-no-manifest",
        "the manifest cannot be read: 'files' must list each file's path, bytes and sha256",
    )


# Group 7: verify never fetches what a bundle names.


@pytest.fixture
def server():
    """A local HTTP server that counts the requests it gets."""
    requests: list[str] = []

    class Counting(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def set_at(field, value):
    """An edit of the descriptor setting `field` ('resources.0.path') to `value`."""

    def edit(descriptor):
        *parents, last = field.split(".")
        target = descriptor
        for key in parents:
            target = target[int(key) if key.isdigit() else key]
        target[int(last) if last.isdigit() else last] = value

    return edit


URL_FIELDS = [
    ("resources.0.path", "resources[0].path"),
    ("resources.1.schema", "resources[1].schema"),
    ("resources.0.dialect", "resources[0].dialect"),
]


@pytest.mark.parametrize(("where", "field"), URL_FIELDS, ids=[f for _, f in URL_FIELDS])
def test_a_url_the_descriptor_names_is_reported_and_never_fetched(released, tmp_path, server, where, field):
    url, requests = server
    path = zipped(tmp_path / "b.zip", with_descriptor(files_of(released), set_at(where, f"{url}/x.json")))
    found = [p for p in verify(path).problems if p.code == "verify-reference"]
    assert [(p.file, p.field, p.message, p.expected) for p in found] == [
        (
            "datapackage.json",
            field,
            f"{url}/x.json is a URL: verify reads only the bundle and never fetches what it names",
            INSIDE,
        )
    ]
    assert requests == []


@pytest.mark.parametrize(
    "field", ["$schema", "profile", "resources.3.profile", "resources.3.$schema", "resources.2.schema.$schema"]
)
def test_a_profile_that_is_not_the_standards_is_reported_and_never_fetched(released, tmp_path, server, field):
    url, requests = server
    path = zipped(tmp_path / "b.zip", with_descriptor(files_of(released), set_at(field, f"{url}/profile.json")))
    found = [p for p in verify(path).problems if p.code == "verify-reference"]
    named = re.sub(r"\.(\d+)\.", r"[\1].", field)
    message = f"{url}/profile.json is not a profile of the Data Package standard: verify never fetches or opens one"
    assert [(p.field, p.message, p.expected) for p in found] == [(named, message, PROFILE)]
    assert requests == []


def test_a_url_in_a_list_of_paths_is_named_by_its_place(released, tmp_path, server):
    url, requests = server
    paths = ["data/tables/incidents.csv", f"{url}/more.csv"]
    path = zipped(tmp_path / "b.zip", with_descriptor(files_of(released), set_at("resources.0.path", paths)))
    assert [p.field for p in verify(path).problems if p.code == "verify-reference"] == ["resources[0].path[1]"]
    assert requests == []


@pytest.mark.parametrize("named", ["/etc/passwd", "../outside.csv", "data/../../outside.csv", "~/notes.csv"])
def test_a_path_leaving_the_bundle_is_reported(released, tmp_path, named):
    path = zipped(tmp_path / "b.zip", with_descriptor(files_of(released), set_at("resources.0.path", named)))
    found = [p for p in verify(path).problems if p.code == "verify-reference"]
    message = f"{named} leaves the bundle: verify reads only the files inside it"
    assert [(p.field, p.message, p.expected) for p in found] == [("resources[0].path", message, INSIDE)]


def test_a_compressed_resource_is_reported_unopened(released, tmp_path):
    files = files_of(released)
    files = {**files, "data/tables/incidents.csv.gz": b"not opened"}
    path = zipped(
        tmp_path / "b.zip", with_descriptor(files, set_at("resources.0.path", "data/tables/incidents.csv.gz"))
    )
    found = [p for p in verify(path).problems if p.code == "verify-reference"]
    message = "data/tables/incidents.csv.gz is compressed: frictionless would unpack it past verify's size bounds"
    assert [(p.field, p.message) for p in found] == [("resources[0].path", message)]


def test_frictionless_cannot_reach_the_network_during_verify(server):
    import frictionless

    from incidents.release.verify_offline import no_network

    url, requests = server
    with no_network(), pytest.raises(frictionless.FrictionlessException):
        frictionless.Resource(f"{url}/table.csv").read_rows()
    assert requests == []


def test_a_descriptor_of_the_wrong_shape_is_reported_not_a_crash(released, tmp_path):
    path = zipped(tmp_path / "b.zip", with_descriptor(files_of(released), set_at("resources.0.schema", 7)))
    assert verify(path).problems != []


# Group 8: zip bombs are refused before they are unpacked.


def zeros_zip(path, megabytes=200, name=f"{FOLDER}/data/tables/incidents.csv"):
    """A zip holding `megabytes` of zeros (about 1,000:1), written as a stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as entry:
        for _ in range(megabytes):
            entry.write(bytes(1 << 20))
    return path


def test_a_zip_bomb_is_refused_fast_by_its_ratio(tmp_path):
    path = zeros_zip(tmp_path / "bomb.zip")
    packed = zipfile.ZipFile(path).infolist()[0].compress_size
    started = time.monotonic()
    (problem,) = verify(path).problems
    assert time.monotonic() - started < 2
    assert (problem.code, problem.message) == (
        "verify-too-large",
        f"{path}: entry '{FOLDER}/data/tables/incidents.csv' unpacks to 209,715,200 bytes from {packed:,}"
        f" ({209715200 // packed:,} to 1): more than {bundle.MAX_RATIO} to 1",
    )


def test_a_zip_larger_than_the_bound_is_refused_unread(tmp_path):
    path = zipped(tmp_path / "b.zip", {"a.csv": b"x" * 1000, "b.csv": b"y" * 1000})
    with pytest.raises(bundle.BundleTooLarge, match=r"unpacks to 2,000 bytes: more than the 1,999 bytes"):
        bundle.read_zip(path, limit=1999)


def lie_about_size(path, name, size):
    """Rewrite the uncompressed size an entry's headers (local and central) declare."""
    content = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = content.find(signature)
        while content[at + name_at : at + name_at + len(encoded)] != encoded:
            at = content.find(signature, at + 1)
        struct.pack_into("<I", content, at + size_at, size)
    path.write_bytes(bytes(content))
    return path


def test_a_zip_whose_header_lies_about_the_size_is_refused_without_unpacking_it(tmp_path):
    name = f"{FOLDER}/data/tables/incidents.csv"
    path = lie_about_size(zeros_zip(tmp_path / "liar.zip", name=name), name, 1000)
    started = time.monotonic()
    tracemalloc.start()
    try:
        (problem,) = verify(path).problems
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2 and peak < 20 * 1024**2
    assert (problem.code, problem.message) == (
        "verify-unreadable",
        f"{path}: not a readable zip file (Bad CRC-32 for file '{name}')",
    )


def test_an_entry_giving_more_bytes_than_its_header_declares_is_refused(tmp_path):
    class Lying:
        def open(self, info):
            return io.BytesIO(b"x" * 100)

    info = zipfile.ZipInfo("a.csv")
    info.file_size = 10
    with pytest.raises(bundle.BundleTooLarge, match="gives more than the 10 bytes its header declares"):
        bundle.read_entry(Lying(), info)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("/etc/passwd", "unsafe entry name '/etc/passwd' (absolute or with '..')"),
        ("link", "entry 'link' is a symbolic link"),
    ],
)
def test_unsafe_entries_are_refused(tmp_path, entry, message):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(entry)
        info.create_system = 3
        info.external_attr = (0o120777 if entry == "link" else 0o100644) << 16
        archive.writestr(info, b"/etc/passwd")
    (problem,) = verify(path).problems
    assert (problem.code, problem.message) == ("verify-unreadable", f"{path}: {message}")


def test_an_entry_that_is_also_a_folder_is_refused(tmp_path):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("b/manifest.json", b'{"version": "0.1.0", "files": []}')
        archive.writestr("b/datapackage.json", b"{}")
        archive.writestr("b/data", b"a file")
        archive.writestr("b/data/tables/incidents.csv", b"id\n")
    (problem,) = verify(path).problems
    assert (problem.code, problem.message) == ("verify-unreadable", f"{path}: entry 'b/data' is also a folder")


def test_an_entry_named_twice_is_refused(tmp_path):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("b/manifest.json", b"{}")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("b/manifest.json", b"{}")
    (problem,) = verify(path).problems
    assert (problem.code, problem.message) == (
        "verify-unreadable",
        f"{path}: entry 'b/manifest.json' appears twice (which one is the bundle's?)",
    )
