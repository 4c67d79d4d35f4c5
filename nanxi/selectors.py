"""Street-wide reads of the ground floor: residents and their verification."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from nanxi import permissions, roles
from nanxi.models import Profile, ResidentialArea


def street_overview() -> dict:
    """Residents and areas of the street, in one query each."""
    users = get_user_model().objects.aggregate(
        residents=Count("pk", filter=Q(profile__area__isnull=False)),
        verified=Count("pk", filter=Q(profile__verified_at__isnull=False)),
    )
    return {"areas": ResidentialArea.objects.count(), **users}


def unverified_residents(staff):
    """Residents waiting for this staff member's committee to verify (or decline) them.

    A declined resident waits on themselves (to correct their details or ask
    again), not on the committee: `declined_residents`.
    """
    profiles = Profile.objects.filter(
        verified_at=None,
        verification_decline=None,
        area__isnull=False,
        user__groups__name=roles.RESIDENT,
    ).select_related("user", "area", "building_group")
    return permissions.in_scope(profiles, staff).order_by("area__name", "pk")


def declined_residents(staff):
    """Residents this staff member's committee declined, who have not answered yet."""
    profiles = Profile.objects.filter(
        verified_at=None,
        verification_decline__isnull=False,
        area__isnull=False,
        user__groups__name=roles.RESIDENT,
    ).select_related("user", "area", "building_group", "verification_decline")
    return permissions.in_scope(profiles, staff).order_by(
        "-verification_decline__declined_at", "-pk"
    )
