import pytest
from django.db import connection

from tests.conftest import require_service
from tests.economy.catalog import ensure_catalog


@pytest.fixture
def postgresql():
    """Concurrency is PostgreSQL's to get right (SQLite serialises every writer)."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")


@pytest.fixture
def catalog(db):
    """The seeded gifts and coin packages, also after a flush."""
    ensure_catalog()
