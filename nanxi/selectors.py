"""Street-wide reads shared by the home page and (later) the yearly report."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from nanxi.models import ResidentialArea


def street_overview() -> dict:
    """Residents and areas of the street, in one query each."""
    users = get_user_model().objects.aggregate(
        residents=Count("pk", filter=Q(profile__area__isnull=False)),
        verified=Count("pk", filter=Q(profile__verified_at__isnull=False)),
    )
    return {"areas": ResidentialArea.objects.count(), **users}
