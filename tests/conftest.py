import pytest
from django.core.cache import cache
from django.utils import translation

from nanxi import roles
from tests.factories import AreaFactory, make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache (Redis in CI): no test inherits another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/… leaves English active in this thread after the response:
    # every test starts, and ends, in the default language (zh-hans).
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def area(db):
    return AreaFactory(name="华业", slug="huaye")


@pytest.fixture
def other_area(db):
    return AreaFactory(name="威海", slug="weihai")


@pytest.fixture
def resident(area):
    return make_user(roles.RESIDENT, area=area, verified=True)


@pytest.fixture
def area_staff(area):
    return make_user(roles.AREA_STAFF, area=area)


@pytest.fixture
def street_staff(db):
    return make_user(roles.STREET_STAFF)


def reload_migration_data() -> None:
    """Run our data migrations again (roles, steps, topics, the standards).

    A transactional test (the browser's, the worker's) ends with a flush that
    empties every table, migration data included; later tests need it again. The
    migrations' own functions make it (each is idempotent), so there is one list.
    """
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    ours = {"nanxi", "buildings", "committees", "projects", "reports"}
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = [
        node
        for leaf in sorted(loader.graph.leaf_nodes())
        for node in loader.graph.forwards_plan(leaf)
    ]
    seen = set()
    for node in plan:
        if node in seen or node[0] not in ours:
            continue
        seen.add(node)
        for operation in loader.graph.nodes[node].operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


def pytest_collection_modifyitems(items):
    """Browser tests last: they are the slowest, and they hold an event loop open."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
