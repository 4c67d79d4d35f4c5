"""Every admin page opens for every kind of staff: a page or a refusal, never a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from nanxi import roles
from tests.factories import make_user

MODELS = [
    f"{model._meta.app_label}.{model._meta.model_name}"
    for model in admin.site._registry
]


@pytest.fixture
def staff(request, area):
    return {
        "area_staff": lambda: make_user(roles.AREA_STAFF, area=area),
        "street_staff": lambda: make_user(roles.STREET_STAFF),
        "superuser": lambda: make_user(None, is_superuser=True),
    }[request.param]()


@pytest.mark.parametrize(
    "staff", ["area_staff", "street_staff", "superuser"], indirect=True
)
@pytest.mark.parametrize("label", MODELS)
def test_changelist_and_add_page_never_fail(client, staff, label):
    app_label, model_name = label.split(".")
    client.force_login(staff)
    for name in ("changelist", "add"):
        url = reverse(f"admin:{app_label}_{model_name}_{name}")
        assert client.get(url).status_code in (200, 302, 403), url
        assert client.get(url + "?q=%00&o=99&p=-1&e=1").status_code in (200, 302, 403)


def test_admin_index_lists_only_what_area_staff_may_see(client, area):
    client.force_login(make_user(roles.AREA_STAFF, area=area))
    body = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:nanxi_staffassignment_changelist") not in body
    assert reverse("admin:buildings_buildinggroup_changelist") in body
