"""The portal's roles. They are Django groups, created by a data migration."""

RESIDENT = "resident"
AREA_STAFF = "area_staff"
STREET_STAFF = "street_staff"
ALL = (RESIDENT, AREA_STAFF, STREET_STAFF)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    # Cached on the user object: templates and permission predicates ask often.
    if not hasattr(user, "_nanxi_roles"):
        user._nanxi_roles = frozenset(user.groups.values_list("name", flat=True))
    return role in user._nanxi_roles
