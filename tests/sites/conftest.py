import pytest


@pytest.fixture(autouse=True)
def local_sitemap_server_allowed(settings):
    """Sitemap tests serve from 127.0.0.1, which the product refuses by default."""
    settings.PAGETOJOB_FETCH_PRIVATE_ADDRESSES = True
