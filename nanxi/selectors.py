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


def unverified_residents(staff):
    """Residents waiting for this staff member's committee to confirm where they live."""
    from nanxi import permissions, roles
    from nanxi.models import Profile

    profiles = Profile.objects.filter(
        verified_at=None, area__isnull=False, user__groups__name=roles.RESIDENT
    ).select_related("user", "area")
    if permissions.is_street_staff(staff):
        return profiles.order_by("area__name", "pk")
    return profiles.filter(area_id=permissions.staff_area_id(staff)).order_by("pk")


def reporting_years() -> list[int]:
    """Years with something to report, newest first."""
    from projects.selectors import reporting_years as project_years

    return project_years()


def year_figures(year: int) -> dict:
    """The headline figures of one year (the home page and the yearly report share them)."""
    from buildings.selectors import building_year_figures
    from projects.selectors import projects_year_figures

    return {
        "projects": projects_year_figures(year),
        "buildings": building_year_figures(year),
    }
