"""Where things are: a shown path's id is its file name without the extension, as pathlib says."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from incidents.core.layout import stem

NAMES = st.text(alphabet=st.sampled_from("ab.-_é"), min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))


@given(st.lists(NAMES, min_size=1, max_size=3))
def test_the_stem_of_a_shown_path_is_pathlibs(parts):
    shown = "/".join(["data", *parts])
    assert stem(shown) == PurePosixPath(shown).stem


def test_a_record_files_stem_is_its_id():
    assert stem("data/records/inc_01KAXQ8N5D4C3R6E0J2VWZ0001.yaml") == "inc_01KAXQ8N5D4C3R6E0J2VWZ0001"
