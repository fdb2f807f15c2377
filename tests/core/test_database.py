import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require_service


@pytest.mark.django_db
def test_ci_runs_the_suite_on_postgresql():
    """Under HALOBUZZ_REQUIRE_SERVICES the database-backed tests must run on PostgreSQL."""
    if settings.HALOBUZZ_REQUIRE_SERVICES:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in {"postgresql", "sqlite"}


@pytest.mark.django_db(transaction=True)
def test_postgresql_connections_come_from_a_pool_and_are_reused():
    """Under ASGI every request and room call closes its connection; with the pool
    that hands it back open instead of costing a new PostgreSQL backend each time."""
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    backends = set()
    for _ in range(6):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.add(cursor.fetchone()[0])
        connection.close()
    assert len(backends) <= settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    assert len(backends) < 6
