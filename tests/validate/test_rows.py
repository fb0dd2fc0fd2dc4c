"""Rows in build order: taking them by runs of consecutive rows gives exactly what taking row by row does."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from incidents.validate import locate as rows


@given(st.lists(st.integers(0, 199), max_size=300), st.integers(1, 7))
def test_taking_by_runs_gives_the_rows_taking_one_by_one_gives(picked, pieces):
    order = np.arange(200)
    for cut in sorted(set(picked))[:pieces]:  # a few rows moved: mostly runs, as after a small change
        order = np.concatenate([order[:cut], order[cut + 1 :], order[cut : cut + 1]])
    whole = pa.table({"n": pa.array(range(200)), "s": pa.array([f"row {i}" * (i % 3) for i in range(200)])})
    table = pa.concat_tables([whole.slice(0, 50), whole.slice(50, 150)])  # two chunks, as the cache's segments
    for indices in (pa.array(order), pa.array(picked, pa.int64())):  # runs, and a shuffle
        taken = rows._take(table, indices)
        assert taken.equals(table.take(indices))  # in chunks: runs are sliced, not copied
