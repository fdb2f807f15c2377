import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_ci_runs_the_suite_on_postgresql():
    """Under HALOBUZZ_REQUIRE_SERVICES the database-backed tests must run on PostgreSQL."""
    if settings.HALOBUZZ_REQUIRE_SERVICES:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in {"postgresql", "sqlite"}
