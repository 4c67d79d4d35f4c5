from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi import permissions, roles
from nanxi.models import Profile, ResidentialArea, StaffAssignment


def profile_for(user) -> Profile:
    """The user's profile, made on first use (accounts made in the admin have none)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def resident_register(*, user) -> Profile:
    """A person who signed up becomes a resident with an (unverified) profile."""
    user.groups.add(Group.objects.get(name=roles.RESIDENT))
    roles.forget(user)
    return profile_for(user)


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    by,
    area: ResidentialArea | None,
    building_group=None,
    display_name: str = "",
    phone: str = "",
) -> Profile:
    if by.pk != profile.user_id:
        raise PermissionDenied(_("You can only change your own profile."))
    if profile.area_id != (area.pk if area else None):
        # A residents' committee vouched for the person in the old area, not the new one.
        profile.verified_at = None
        profile.verified_by = None
    if building_group is not None and (
        area is None or building_group.area_id != area.pk
    ):
        raise ValidationError(
            {"building_group": _("Choose a building group in your residential area.")}
        )
    profile.area = area
    profile.building_group = building_group
    profile.display_name = display_name
    profile.phone = phone
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def profile_verify(*, profile: Profile, by) -> Profile:
    """A residents' committee confirms that the person lives in its area."""
    if profile.area_id is None:
        raise ValidationError(_("This resident has not chosen a residential area yet."))
    if not permissions.can_verify(by, profile):
        raise PermissionDenied(
            _("Only staff of this residential area can verify its residents.")
        )
    profile.verified_at = timezone.now()
    profile.verified_by = by
    profile.save(update_fields=["verified_at", "verified_by"])
    return profile


# --- staff scope ---------------------------------------------------------------------


@transaction.atomic
def staff_assignment_grant(*, user, area: ResidentialArea, by) -> StaffAssignment:
    """The street makes `user` staff of `area`'s residents' committee."""
    if not permissions.can_grant_staff(by):
        raise PermissionDenied(
            _("Only street-office staff can assign residents' committee staff.")
        )
    if StaffAssignment.objects.filter(user=user, area=area).exists():
        raise ValidationError(
            _("%(user)s is already staff of %(area)s.") % {"user": user, "area": area}
        )
    assignment = StaffAssignment(user=user, area=area, granted_by=by)
    assignment.full_clean()
    assignment.save()
    user.groups.add(Group.objects.get(name=roles.AREA_STAFF))
    if not user.is_staff:
        # Residents' committee staff work in the admin too (ratings, committees).
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _forget_scope(user)
    return assignment


@transaction.atomic
def staff_assignment_revoke(*, assignment: StaffAssignment, by) -> None:
    """End a grant; with no area left, the person is no longer area staff."""
    if not permissions.can_grant_staff(by):
        raise PermissionDenied(
            _("Only street-office staff can assign residents' committee staff.")
        )
    user = assignment.user
    assignment.delete()
    if not user.staff_assignments.exists():
        user.groups.remove(Group.objects.get(name=roles.AREA_STAFF))
    _forget_scope(user)


def _forget_scope(user) -> None:
    roles.forget(user)
