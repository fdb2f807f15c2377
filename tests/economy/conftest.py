import pytest
from django.db import connection

from tests.conftest import require_service
from tests.console import sign_in_to_the_console
from tests.economy.catalog import ensure_catalog
from tests.factories import UserFactory


@pytest.fixture
def postgresql():
    """Concurrency is PostgreSQL's to get right (SQLite serialises every writer)."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")


@pytest.fixture
def catalog(db):
    """The seeded gifts and coin packages, also after a flush."""
    ensure_catalog()


@pytest.fixture
def operator(client):
    """A superuser signed in to the admin."""
    return sign_in_to_the_console(client, UserFactory(is_staff=True, is_superuser=True))
