"""Who may act where. The one home of staff scope: every app, view and admin asks here.

Street staff (and operators) act on every residential area. Residents' committee
staff act on the areas the street granted them (`StaffAssignment`), never on the
area of their own profile, which they can edit.
"""

from django.db.models import Q, QuerySet

from nanxi import roles


def is_street_staff(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or roles.has_role(user, roles.STREET_STAFF)
    )


def staff_area_ids(user) -> frozenset[int]:
    """The areas granted to this residents' committee staff member."""
    if not roles.has_role(user, roles.AREA_STAFF):
        return frozenset()
    return roles.granted_areas(user)


def is_staff_member(user) -> bool:
    """Street staff, or residents' committee staff with at least one area granted."""
    return is_street_staff(user) or bool(staff_area_ids(user))


def can_act_in_area(user, area_id: int | None) -> bool:
    """May this person act as staff on things of this residential area?"""
    if is_street_staff(user):
        return True
    return area_id is not None and area_id in staff_area_ids(user)


def area_scope(user, area_path: str = "area") -> Q | None:
    """A filter for what this staff member may act on: None for all, Q(pk__in=[]) for none."""
    if is_street_staff(user):
        return None
    return Q(**{f"{area_path}__in": sorted(staff_area_ids(user))})


def in_scope(queryset: QuerySet, user, area_path: str = "area") -> QuerySet:
    """The rows of `queryset` this person may act on as staff."""
    scope = area_scope(user, area_path)
    return queryset if scope is None else queryset.filter(scope)


def can_verify(user, profile) -> bool:
    """Staff of the person's area decide on their verification (verify or decline)."""
    return profile.user_id != user.pk and can_act_in_area(user, profile.area_id)


def can_see_contact(user, profile) -> bool:
    """A resident's phone and e-mail are shown to staff to decide on them: while
    they wait or were declined, not once verified (nanxi.views.resident_review)."""
    return not profile.is_verified and can_verify(user, profile)


def can_decline(user, profile) -> bool:
    """A waiting resident can be declined; a verified one, or one declined and not
    answered yet, cannot (nanxi.services.profile_decline says why)."""
    return profile.is_waiting and can_verify(user, profile)


def can_ask_again(user, profile) -> bool:
    return profile.user_id == user.pk and profile.is_declined


def can_grant_staff(user) -> bool:
    """Only the street office makes someone a residents' committee's staff."""
    return is_street_staff(user)


def can_erase_account(user, account) -> bool:
    """One's own account; others' only with the right to delete users, and an
    operator's account only by an operator."""
    if not user.is_authenticated:
        return False
    if user.pk == account.pk or user.is_superuser:
        return True
    return user.has_perm("auth.delete_user") and not account.is_superuser


def can_see_phone(user, profile) -> bool:
    """Staff see a resident's phone where they verify them, and only in their areas."""
    return can_verify(user, profile)
