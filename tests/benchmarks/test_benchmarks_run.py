"""benchmarks/run.py reads both validators' reports into (table, row, field) and never fakes a figure."""

from __future__ import annotations

import json
import sys

import run


def test_our_table_problems_are_read_as_table_row_and_field():
    report = {
        "problems": [
            {"file": "data/tables/incidents.parquet", "line": 7, "field": "summary", "code": "required"},
            {"file": "datapackage.json", "line": None, "field": None, "code": "descriptor"},
        ]
    }
    assert run.table_findings(json.dumps(report)) == {("incidents", "parquet", 5, "summary")}
    duckdb = [{"file": "data/tables/actors.csv", "row": 48, "field": "actor_id", "code": "duplicate-key"}]
    assert run.duckdb_findings(json.dumps(duckdb)) == {("actors", "csv", 48, "actor_id")}


def test_the_planted_errors_table_says_where_each_tool_found_each_and_what_it_missed():
    planted = [
        {"table": "incidents", "row": 5, "field": "summary", "kind": "missing required value"},
        {"table": "actors", "row": 49, "field": "actor_id", "kind": "duplicated id"},
    ]
    tools = {
        "ours": {("incidents", "parquet", 5, "summary"), ("actors", "parquet", 49, "actor_id")},
        "DuckDB": {("incidents", "csv", 5, "summary"), ("incidents", "parquet", 5, "summary")},
        "frictionless": None,
    }
    table = run.found_table(planted, tools)
    assert (
        table[2]
        == "| missing required value | incidents | 5 | summary | found (parquet) | found (csv, parquet) | not run |"
    )
    assert table[3] == "| duplicated id | actors | 49 | actor_id | found (parquet) | **missed** | not run |"
    assert run.located(planted[1], tools["ours"]) and not run.located(planted[1], tools["DuckDB"])


def test_the_targets_compare_ours_with_the_duckdb_floor_and_frictionless_at_the_largest_size():
    def row(name, n, seconds, peak=100 * 2**20):
        return run.Row(name, n, n * 7, run.Run(seconds, peak, 0))

    results = run.Results(
        [row(run.DUCKDB, 1000, 2.0), row(run.OURS, 1000, 2.4), row(run.FRICTIONLESS_ROW, 1000, 80.0)]
        + [
            row(run.DUCKDB, 100_000, 4.0),
            row(run.OURS, 100_000, 3.6, 3 * run.GiB),
            row(run.FRICTIONLESS_ROW, 100_000, 150.0),
        ]
    )
    run.validation_targets(results, [1000, 100_000])
    floor, memory, friction = results.targets
    assert floor.met is True and floor.detail.startswith("0.90x (3.60 s against 4.00 s) at 100,000 incidents")
    assert memory.met is False and "(the target is for 1M" in memory.detail
    assert friction.met is True and friction.detail.startswith("42x at 100,000 incidents")


def test_the_tables_are_pasted_between_the_markers_of_the_page_and_nothing_else_changes(tmp_path):
    page = tmp_path / "scale.md"
    page.write_text(
        "intro\n<!-- run.py output -->\nold table\n<!-- end of run.py output -->\nmiddle\n"
        "<!-- run.py targets -->\nold targets\n<!-- end of run.py targets -->\nend\n"
    )
    run.write_doc(page, {"output": "| new |", "targets": "| met |"})
    assert page.read_text() == (
        "intro\n<!-- run.py output -->\n| new |\n<!-- end of run.py output -->\nmiddle\n"
        "<!-- run.py targets -->\n| met |\n<!-- end of run.py targets -->\nend\n"
    )


def test_a_block_this_run_did_not_make_keeps_the_run_that_made_it_and_one_it_made_is_replaced(tmp_path):
    page = tmp_path / "scale.md"
    blocks = "".join(f"<!-- run.py {key} -->\nold {key}\n<!-- end of run.py {key} -->\n" for key in run.BLOCKS)
    page.write_text(blocks)
    run.write_doc(page, {"output": "new output", "targets": "new targets"})  # --dask-size 0
    assert "new output" in page.read_text() and "old dask" in page.read_text()
    run.write_doc(page, {"output": "new output", "targets": "new targets", "dask": "new dask"})
    assert "old" not in page.read_text() and "new dask\n<!-- end of run.py dask -->" in page.read_text()


def test_a_missing_command_is_shown_as_not_available_and_a_timeout_as_such(tmp_path):
    slow = run.measure([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path, tmp_path, timeout=0.5)
    assert slow.seconds is None and not slow.finished
    results = run.Results(
        [
            run.Row("incidents validate --tables", 10, 70, None, note="not available on this branch"),
            run.Row("frictionless validate datapackage.json", 10, 70, slow, note="timed out after 0 s"),
        ]
    )
    table = run.render(results)
    assert "| incidents validate --tables | 10 | 70 | - | - | - |  | not available on this branch |" in table
    assert "| timeout |" in table


def test_a_measured_run_gives_seconds_peak_memory_and_output(tmp_path):
    done = run.measure([sys.executable, "-c", "print('hello'); x = bytearray(50_000_000)"], tmp_path, tmp_path)
    assert done.finished and done.code == 0 and done.output.strip() == "hello"
    assert done.peak is not None and done.peak > 50_000_000


def test_repeated_runs_give_the_median_time_the_largest_peak_and_never_hide_a_failure():
    runs = [run.Run(9.0, 100, 0), run.Run(7.5, 300, 0), run.Run(8.1, 200, 0)]
    middle = run.median(runs)
    assert (middle.seconds, middle.peak, middle.spread) == (8.1, 300, "median of 3: 7.50-9.00 s")
    failed = run.Run(None, 50, None)
    assert run.median([*runs, failed]) is failed
    assert run.median(runs[:1]) is runs[0]


def test_a_pull_request_of_ten_records_is_timed_on_its_own_and_the_repository_put_back(tmp_path):
    results = run.Results()
    run.bench_pull_request(results, tmp_path, 60, 1, repeat=2)
    (row,) = results.rows
    assert row.benchmark == "incidents validate --changed-since (10 records)" and row.incidents == 60
    assert row.run.finished and row.run.code == 0 and row.run.output.strip() == "valid"
    assert row.note.startswith("median of 2: ")
    root = tmp_path / "records-60-s1"
    assert run.git(root, "rev-parse", "HEAD") == run.git(root, "rev-parse", "synthetic")  # the changes undone


def test_with_no_sizes_the_validation_targets_are_not_run_never_met():
    results = run.Results([])
    run.validation_targets(results, [])
    assert [t.text for t in results.targets] == list(run.VALIDATION_TARGETS)
    assert all(t.met is None and "not run" in t.detail for t in results.targets)
