import pytest
from django.contrib.auth.models import AnonymousUser

from nanxi import roles
from tests.factories import make_user


@pytest.fixture
def people(area, other_area, area_staff, street_staff):
    """One person of each kind in tests.projects.helpers.ACTORS."""
    return {
        "anonymous": AnonymousUser(),
        "unverified": make_user(roles.RESIDENT, area=area),
        "proposer": make_user(roles.RESIDENT, area=area, verified=True),
        "neighbour": make_user(roles.RESIDENT, area=area, verified=True),
        "outsider": make_user(roles.RESIDENT, area=other_area, verified=True),
        "area_staff": area_staff,
        "other_staff": make_user(roles.AREA_STAFF, area=other_area),
        "street_staff": street_staff,
        "superuser": make_user(None, is_superuser=True),
    }
