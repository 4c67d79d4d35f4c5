"""Reads of building groups shared by pages, the admin, the home page and the report."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from buildings.models import (
    BuildingGroup,
    CriterionScore,
    Dimension,
    DistrictApplication,
    Rating,
)


def building_year_figures(year: int) -> dict:
    """The newsletter's building-group figures for `year`, in two queries.

    "Newly three-star" and "upgraded to four-star" compare the year's stars with the
    group's previous rating (any earlier year), found by a correlated subquery.
    """
    previous = (
        Rating.objects.filter(group=OuterRef("group"), year__lt=OuterRef("year"))
        .order_by("-year")
        .values("stars")[:1]
    )
    figures = (
        Rating.objects.filter(year=year)
        .annotate(previous_stars=Subquery(previous, output_field=IntegerField()))
        .aggregate(
            star_rated=Count("pk", filter=Q(stars__gte=1)),
            new_three_star=Count(
                "pk",
                filter=Q(stars=3)
                & (Q(previous_stars__isnull=True) | Q(previous_stars__lt=3)),
            ),
            upgraded_four_star=Count("pk", filter=Q(stars=4, previous_stars__lt=4)),
        )
    )
    figures["district_applications"] = DistrictApplication.objects.filter(
        year=year
    ).count()
    return figures


def public_groups():
    """Star-rated groups (by their newest rating) as residents see them."""
    return (
        BuildingGroup.objects.star_rated()
        .select_related("area")
        .prefetch_related("photos")
        .order_by("-stars", "area__name", "name")
    )


def group_detail(pk: int) -> BuildingGroup:
    return (
        BuildingGroup.objects.with_latest_rating()
        .select_related("area")
        .prefetch_related("photos", "applications")
        .get(pk=pk)
    )


def star_history(group: BuildingGroup):
    return group.ratings.select_related("standard").order_by("year")


def dimension_scores(rating: Rating | None) -> list[dict]:
    """Points and maximum per dimension of one rating, for the chart (one query)."""
    if rating is None:
        return []
    rows = (
        CriterionScore.objects.filter(rating=rating)
        .values("criterion__dimension")
        .annotate(points=Sum("score"), maximum=Sum("criterion__max_points"))
    )
    by_dimension = {row["criterion__dimension"]: row for row in rows}
    return [
        {
            "label": label,
            "points": by_dimension[value]["points"],
            "maximum": by_dimension[value]["maximum"],
        }
        for value, label in Dimension.choices
        if value in by_dimension
    ]


def export_rows(groups):
    """CSV rows for the admin export: one group a row, with its newest rating."""
    yield [
        _("Building group"),
        _("Residential area"),
        _("Address"),
        _("Households"),
        _("Group leader"),
        _("Feature"),
        _("Latest rating year"),
        _("Stars"),
        _("Total points"),
        _("District application"),
    ]
    statuses = dict(DistrictApplication.Status.choices)
    for g in groups.with_latest_rating().select_related("area"):
        yield [
            g.name,
            g.area.name,
            g.address,
            g.households,
            g.leader,
            g.feature,
            g.rating_year or "",
            g.stars if g.stars is not None else "",
            g.rating_total if g.rating_total is not None else "",
            statuses.get(g.application_status, ""),
        ]
