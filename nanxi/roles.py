"""The portal's roles. They are Django groups, created by a data migration."""

from django.contrib.auth.models import Group
from django.db.models import CharField, IntegerField, Value

from nanxi import people

RESIDENT = "resident"
AREA_STAFF = "area_staff"
STREET_STAFF = "street_staff"
ALL = (RESIDENT, AREA_STAFF, STREET_STAFF)


def load(user) -> None:
    """A person's roles and granted areas in one query, cached on the user object.

    Templates and permission predicates ask often; a page asks the database once,
    and a logged-in person's request not at all while their cached copy is
    current (``nanxi.people``, loaded with them by ``nanxi.auth_backends``).
    """
    from nanxi.models import StaffAssignment

    roles = Group.objects.filter(user=user).annotate(
        area=Value(None, output_field=IntegerField())
    )
    areas = StaffAssignment.objects.filter(user=user).annotate(
        role=Value("", output_field=CharField())
    )
    rows = (
        roles.order_by()
        .values_list("name", "area")
        .union(areas.order_by().values_list("role", "area_id"), all=True)
    )
    names, area_ids = set(), set()
    for name, area_id in rows:
        if area_id is None:
            names.add(name)
        else:
            area_ids.add(area_id)
    user._nanxi_roles = frozenset(names)
    user._nanxi_areas = frozenset(area_ids)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_nanxi_roles"):
        load(user)
    return role in user._nanxi_roles


def granted_areas(user) -> frozenset[int]:
    """The residential areas the street granted this person (StaffAssignment)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_nanxi_areas"):
        load(user)
    return user._nanxi_areas


def forget(user) -> None:
    """Drop what `load` cached, after the person's roles or grants changed: on
    this object, and the person's cached copy (their next request loads afresh)."""
    for cached in ("_nanxi_roles", "_nanxi_areas"):
        user.__dict__.pop(cached, None)
    people.changed(user.pk)
