import pytest

from factories import make_dataset


@pytest.fixture
def dataset(tmp_path):
    """A valid one-record dataset in a temp folder."""
    return make_dataset(tmp_path)
