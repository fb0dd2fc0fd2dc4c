import pytest

from factories import make_dataset


@pytest.fixture
def dataset(tmp_path):
    """A valid one-record dataset in a temp folder."""
    return make_dataset(tmp_path)


@pytest.fixture(scope="session")
def seed_root(tmp_path_factory):
    """The repository's four hand-coded seed records (and what the site needs), built, in a temp folder:
    shared by the session's tests, which must not change it (copy it with `seed.copy_seed` to change it)."""
    from incidents.build import build
    from seed import copy_seed

    root = copy_seed(tmp_path_factory.mktemp("seed"))
    result = build(root)
    assert result.problems == [], result.problems
    return root
