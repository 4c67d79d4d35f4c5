"""Small named predicates: who may do what. Views, admin and templates share them."""

from nanxi import roles


def is_street_staff(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.STREET_STAFF)


def staff_area_id(user) -> int | None:
    """The residential area an area staff member works for, or None."""
    if not roles.has_role(user, roles.AREA_STAFF):
        return None
    profile = getattr(user, "profile", None)
    return profile.area_id if profile else None


def is_area_staff_for(user, area_id: int | None) -> bool:
    """Staff of this area (or street staff, who serve every area)."""
    if is_street_staff(user):
        return True
    return area_id is not None and staff_area_id(user) == area_id


def can_verify(user, profile) -> bool:
    return profile.user_id != user.pk and is_area_staff_for(user, profile.area_id)
