"""Importers: other datasets' exports (ACLED, UCDP GED) -> records of this standard.

Each importer is a pure mapping from one export row to record values (`acled.map_row`, `ucdp.map_row`);
`run.run_import` does the rest once for all of them: reads the CSV with each row's exact place in the
file, archives the file as a source, matches actors, screens the records with the standard's own checks,
and writes new records or revisions. See docs/importers.md for the mapping, field by field.
"""
