"""Committee pages are shared from the cache (nanxi.caching) while the version
`committees` stays; every service that writes committee data moves it."""

import inspect
import re

from django.test import Client
from django.utils import timezone

from committees import services
from nanxi import fragments, roles
from tests.factories import make_user

# A service "writes" when its own body saves, deletes or updates rows.
WRITES = re.compile(r"\.(save|delete|update|create|bulk_create)\(")
# Writes only through another service, which bumps.
THROUGH_ANOTHER = {"election_complete"}


def _public_services():
    for name, function in vars(services).items():
        if (
            inspect.isfunction(function)
            and not name.startswith("_")
            and function.__module__ == services.__name__
        ):
            yield name, function


def test_every_service_that_writes_moves_the_committee_pages_version():
    writers = [
        name
        for name, function in _public_services()
        if WRITES.search(inspect.getsource(inspect.unwrap(function)))
    ]
    assert len(writers) >= 15  # the check sees the services at all
    missing = [
        name
        for name in writers
        if getattr(getattr(services, name), "bumps", None) != services.COMMITTEES
    ]
    assert missing == []
    for name in THROUGH_ANOTHER:
        assert name not in writers


def test_a_write_moves_the_version_and_the_resident_sees_it(db, area, settings):
    from nanxi.models import Estate

    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    street = make_user(roles.STREET_STAFF)
    estate = Estate.objects.create(
        area=area, name="华业小区", households=80, floor_area=6000
    )
    committee = services.committee_create(estate=estate, by=street)
    reader = Client()
    reader.force_login(make_user(roles.RESIDENT, area=area))
    reader.get("/en/committees/")
    assert reader.get("/en/committees/").context is None  # shared, from the cache
    before = fragments.current([services.COMMITTEES])
    services.committee_dissolve(committee=committee, by=street, on=timezone.localdate())
    assert fragments.current([services.COMMITTEES]) != before
    assert reader.get("/en/committees/").context is not None  # made again
