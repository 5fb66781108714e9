import pytest


@pytest.fixture(autouse=True)
def _fresh_vector_index(settings) -> None:
    # Each test has its own articles; the in-memory index must not serve the previous test's.
    settings.SEARCH_INDEX_REFRESH_SECONDS = 0
