import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from economy.selectors.gift_sending import clear_kept_catalog
from halobuzz.core import ratelimit
from tests.factories import UserFactory


def require_service(available: bool, what: str) -> None:
    """Skip when a service is missing on a laptop; fail under HALOBUZZ_REQUIRE_SERVICES=1 (CI)."""
    if available:
        return
    if settings.HALOBUZZ_REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (HALOBUZZ_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} is not available here")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits, throttles and used TOTP codes live in the cache; the gift catalog
    # is kept in the process, and a test's rolled-back rows must not outlive it.
    cache.clear()
    ratelimit.reset_local_buckets()
    clear_kept_catalog()
    yield
    cache.clear()
    ratelimit.reset_local_buckets()
    clear_kept_catalog()


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools(django_db_setup, django_db_blocker):
    """PostgreSQL refuses to drop the test database while anyone is connected. The
    pool keeps idle connections open, and threads that served end-to-end tests (an
    ASGI server in a thread) can still hold one checked out: end them all first."""
    yield
    with django_db_blocker.unblock():
        release_pooled_connections()


def release_pooled_connections() -> None:
    """End every other session on the test database and start a fresh pool.

    Threads that served an end-to-end test (an ASGI server in a thread) end with
    connections still checked out; the pool counts them as in use for ever, and a
    later test that needs the whole pool would wait for them."""
    for connection in connections.all():
        if not connection.settings_dict.get("OPTIONS", {}).get("pool"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()
        connection.close_pool()


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves a request's language active on the thread; a test
    # after an `Accept-Language: ne` request would otherwise read Nepali errors.
    yield
    translation.deactivate()


@pytest.fixture
def redis_url():
    require_service(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    return settings.REDIS_URL


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium")
    require_service(path is not None, "Debian's chromium")
    return path


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def creator(db):
    return UserFactory(is_creator=True)
