"""The dataset's citation in the formats reference managers import (BibTeX, RIS, CSL-JSON) and Zenodo's
metadata (`.zenodo.json`), all made from CITATION.cff, the one source of truth (written by `incidents
release` from data/package.yaml), with each release's version and date from its manifest. Pure.

BibTeX is written by bibtexparser (values LaTeX-encoded by pylatexenc, so a brace or `%` in a title cannot
end an entry), RIS by rispy; CSL-JSON and `.zenodo.json` are plain JSON. cffconvert, which does this from the
CFF, is unmaintained since 2021 and pins jsonschema below 4, which the validator needs."""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.parse
from typing import Any

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Block, Entry, Field
from pylatexenc.latexencode import unicode_to_latex

from incidents.release.citation import Cff, dataset_fields, people


def _latex(value: object) -> str:
    return str(unicode_to_latex(str(value), non_ascii_only=False))


def _bibtex_name(person: dict[str, str]) -> str:
    """`Family, Given` for a person; an organisation in braces, so BibTeX does not split it into names."""
    if "name" in person:
        return "{" + _latex(person["name"]) + "}"
    return _latex(person["family"]) + (", " + _latex(person["given"]) if person["given"] else "")


def _key(people: list[dict[str, str]], year: object, suffix: str = "") -> str:
    """A citation key from the first author and the year (`sundberg2013`), ASCII letters and digits only."""
    first = people[0] if people else {"name": "anonymous"}
    word = (first.get("family") or first.get("name") or "anonymous").split()[0]
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", ascii_word) + str(year or "") + suffix


def bibtex(cff: Cff, name: str, version: str | None = None, date: str | None = None) -> str:
    """The dataset as a BibTeX `@misc` entry (the type every BibTeX style knows) keyed `name` + version."""
    d = dataset_fields(cff, version, date)
    fields = [
        ("author", " and ".join(map(_bibtex_name, d["people"]))),
        ("title", "{" + _latex(d["title"]) + "}"),  # braced, so styles keep its capitals
        ("year", str(d["date"][0]) if d["date"] else ""),
        ("version", _latex(d["version"] or "")),
        ("doi", _latex(d["doi"] or "")),
        ("url", urllib.parse.quote(str(d["url"] or ""), safe="/:?#@$&+,;=%~")),  # no brace can end the value
        ("note", "Dataset" + (f", version {_latex(d['version'])}" if d["version"] else "")),
    ]
    key = re.sub(r"[^A-Za-z0-9_.-]", "", f"{name}-{d['version'] or 'latest'}")
    return _write_bibtex([Entry("misc", key, [Field(k, v) for k, v in fields if v])])


def references_bibtex(cff: Cff) -> str:
    """The works CITATION.cff asks to cite with the dataset (UCDP GED's article and codebook) as BibTeX."""
    entries = []
    for ref in cff.get("references") or []:
        authors = people(ref.get("authors"))
        fields = [("author", " and ".join(map(_bibtex_name, authors))), ("title", "{" + _latex(ref.get("title")) + "}")]
        if ref.get("type") == "article":
            kind = "article"
            fields += [("journal", _latex(ref.get("journal") or "")), ("volume", str(ref.get("volume") or ""))]
            fields += [("number", str(ref.get("issue") or ""))]
            if ref.get("start"):
                fields.append(("pages", f"{ref['start']}--{ref.get('end') or ref['start']}"))
        else:
            kind = "techreport"
            institution = ref.get("institution") or {}
            fields.append(("institution", _latex(institution.get("name", "") if isinstance(institution, dict) else "")))
        fields += [("year", str(ref.get("year") or "")), ("doi", _latex(ref.get("doi") or ""))]
        entries.append(Entry(kind, _key(authors, ref.get("year")), [Field(k, v) for k, v in fields if v]))
    return _write_bibtex(entries) if entries else ""


def _write_bibtex(entries: list[Entry]) -> str:
    return str(bibtexparser.write_string(Library(list[Block](entries))))


class _RisWriter(rispy.RisWriter):
    """RIS without rispy's numbered line before each reference, which reference managers do not expect."""

    def set_header(self, count: int) -> str:
        return ""


def ris(cff: Cff, version: str | None = None, date: str | None = None) -> str:
    """The dataset as an RIS `DATA` reference."""
    d = dataset_fields(cff, version, date)
    ref: dict[str, Any] = {
        "type_of_reference": "DATA",
        "title": d["title"],
        "authors": [p.get("name") or f"{p['family']}, {p['given']}" for p in d["people"]],
        "year": str(d["date"][0]) if d["date"] else "",
        "date": "/".join(f"{n:02d}" for n in d["date"]),
        "edition": d["version"] or "",
        "urls": [d["url"]] if d["url"] else [],
        "doi": d["doi"] or "",
        "abstract": d["abstract"],
        "keywords": d["keywords"],
    }
    text = rispy.dumps([{k: v for k, v in ref.items() if v}], implementation=_RisWriter)
    return text.lstrip("\n")


def csl_json(cff: Cff, name: str, version: str | None = None, date: str | None = None) -> str:
    """The dataset as CSL-JSON (what Zotero, Pandoc and citeproc read): a list of one `dataset` item."""
    d = dataset_fields(cff, version, date)
    item: dict[str, Any] = {
        "id": f"{name}-{d['version'] or 'latest'}",
        "type": "dataset",
        "title": d["title"],
        "author": [{"literal": p["name"]} if "name" in p else p for p in d["people"]],
        "version": d["version"],
        "URL": d["url"],
        "DOI": d["doi"],
        "abstract": d["abstract"] or None,
    }
    if d["date"]:
        item["issued"] = {"date-parts": [d["date"]]}
    return json.dumps([{k: v for k, v in item.items() if v}], indent=2, ensure_ascii=False) + "\n"


def citation_files(cff: Cff, name: str, releases: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Every citation file the site serves, by file name: the latest version's, each release's
    (`<name>-vX.Y.Z.bib`), and the works to cite with the dataset (`references.bib`)."""
    files: dict[str, str] = {}
    versions: list[tuple[str, str | None, str | None]] = [("", None, None)]
    versions += [(f"-{tag}", str(m.get("version") or tag.lstrip("v")), m.get("date")) for tag, m in releases.items()]
    for suffix, version, date in versions:
        files[f"{name}{suffix}.bib"] = bibtex(cff, name, version, date)
        files[f"{name}{suffix}.ris"] = ris(cff, version, date)
        files[f"{name}{suffix}.json"] = csl_json(cff, name, version, date)
    references = references_bibtex(cff)
    if references:
        files["references.bib"] = references
    return files
