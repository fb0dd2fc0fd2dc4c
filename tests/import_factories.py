"""Small export files in the layouts of ACLED and UCDP GED, written by the tests themselves.

The events are invented (names, notes, ids); only the column layouts and the kinds of mess are those of
real exports: floats for integers, a misspelt disorder type, empty cells, semicolon-joined actors.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from factories import TODAY
from incidents.core.layout import Layout
from incidents.importers import acled, ucdp
from incidents.importers.known import read_existing
from incidents.importers.rows import Export
from incidents.importers.run import ImportReport, run_import

NOW = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)


def acled_row(event_id: str = "TST1", **changes: str) -> dict[str, str]:
    """A protest in Cordoba, Argentina, in the messy spelling of a real ACLED export."""
    row = {
        "event_id_cnty": event_id,
        "event_date": "2022-06-15",
        "year": "2022.0",
        "time_precision": "1.0",
        "disorder_type": "Demonstartions",
        "event_type": "Protests",
        "sub_event_type": "Peaceful protest",
        "actor1": "Protesters (Argentina)",
        "assoc_actor_1": "Teachers (Argentina); Labour Group (Argentina)",
        "inter1": "6.0",
        "actor2": "",
        "assoc_actor_2": "",
        "inter2": "0.0",
        "interaction": "60.0",
        "civilian_targeting": "",
        "iso": "32.0",
        "region": "South America",
        "country": "Argentina",
        "admin1": "Cordoba",
        "admin2": "Capital",
        "admin3": "",
        "location": "Cordoba",
        "latitude": "-31.4135",
        "longitude": "-64.1811",
        "geo_precision": "1.0",
        "source": "Test Daily; Test Radio",
        "source_scale": "Subnational",
        "notes": f"On 15 June 2022, teachers marched in Cordoba for higher pay ({event_id}). [size=no report]",
        "fatalities": "0.0",
        "tags": "crowd size=no report",
        "timestamp": "1655300000.0",
    }
    row.update(changes)
    return row


def ged_row(event_id: str = "900001", **changes: str) -> dict[str, str]:
    """A state-based clash in Idlib, Syria, in UCDP GED's CSV layout (a subset of its columns)."""
    row = {
        "id": event_id,
        "relid": f"SYR-2021-1-{event_id}",
        "year": "2021",
        "type_of_violence": "1",
        "conflict_name": "Syria: Government",
        "dyad_name": "Government of Syria - HTS",
        "side_a": "Government of Syria",
        "side_b": "HTS",
        "where_prec": "1",
        "where_coordinates": "Maarrat al-Numan town",
        "where_description": "Maarrat al-Numan",
        "adm_1": "Idlib governorate",
        "adm_2": "Maarrat al-Numan district",
        "latitude": "35.6476",
        "longitude": "36.6742",
        "country": "Syria",
        "country_id": "652",
        "date_prec": "1",
        "date_start": "2021-03-02 00:00:00.000",
        "date_end": "2021-03-02 00:00:00.000",
        "best": "3",
        "high": "5",
        "low": "2",
        "source_article": "Test Wire 2021-03-03",
    }
    row.update(changes)
    return row


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] | None = None, newline: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns or tuple(rows[0]), lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def acled_file(tmp_path: Path, *rows: dict[str, str], name: str = "acled.csv", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(list(rows) or [acled_row()], acled.COLUMNS, newline))
    return path


def ged_file(tmp_path: Path, *rows: dict[str, str], name: str = "ged.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(list(rows) or [ged_row()]))
    return path


def run(layout: Layout, export: Export, path: Path, **options: Any) -> ImportReport:
    with path.open("rb") as stream:
        return run_import(layout, export, path.name, stream, by="Test Importer", now=NOW, today=TODAY, **options)


def import_acled(layout: Layout, path: Path, **options: Any) -> ImportReport:
    return run(layout, acled.EXPORT, path, **options)


def import_ged(layout: Layout, path: Path, **options: Any) -> ImportReport:
    return run(layout, ucdp.EXPORT, path, **options)


def record_of(layout: Layout, external_id: str) -> dict[str, Any]:
    return read_existing(layout).records[external_id].data


# ACLED's layout before 2023 (its 2019-2022 downloads): no disorder_type, civilian_targeting or tags, dates
# written out ('15 June 2022'), and columns the importer does not read (data_id, event_id_no_cnty, iso3).
ACLED_2019_COLUMNS = (
    "data_id",
    "iso",
    "event_id_cnty",
    "event_id_no_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    "iso3",
)


def acled_2019_row(event_id: str = "OLD1", **changes: str) -> dict[str, str]:
    """The protest of `acled_row` as a pre-2023 export writes it."""
    row = {column: value for column, value in acled_row(event_id).items() if column in ACLED_2019_COLUMNS}
    row.update(data_id="9000001", event_id_no_cnty=event_id[-1], event_date="15 June 2022", iso3="ARG")
    row.update(changes)
    return row


def acled_2019_file(tmp_path: Path, *rows: dict[str, str], name: str = "acled_2019.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(list(rows) or [acled_2019_row()], ACLED_2019_COLUMNS))
    return path


def kosovo(**changes: str) -> dict[str, str]:
    """The cells of a protest in Pristina as ACLED writes them: iso 0, Kosovo having no ISO numeric code."""
    return {
        "iso": "0.0",
        "region": "Europe",
        "country": "Kosovo",
        "admin1": "Pristina",
        "admin2": "Pristina",
        "location": "Pristina",
        "latitude": "42.6629",
        "longitude": "21.1655",
        "actor1": "Protesters (Kosovo)",
        "assoc_actor_1": "",
        **changes,
    }
