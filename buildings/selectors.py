"""Reads of building groups shared by pages, the admin, the home page and the report."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from buildings.models import (
    BuildingGroup,
    BuildingPhoto,
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
        .order_by("-stars", "area__name", "name", "pk")
    )


def group_cards(ids) -> list[BuildingGroup]:
    """The groups of a page of cards with what a card shows (two queries)."""
    return list(
        BuildingGroup.objects.filter(pk__in=list(ids))
        .select_related("area")
        .prefetch_related("photos")
    )


def group_detail(pk: int) -> BuildingGroup:
    return (
        BuildingGroup.objects.select_related("area")
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
    for g in groups.with_latest_application().select_related("area"):
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


def _previous_stars():
    """The stars of the same group's rating before this one (any earlier year)."""
    previous = (
        Rating.objects.filter(group=OuterRef("group"), year__lt=OuterRef("year"))
        .order_by("-year")
        .values("stars")[:1]
    )
    return Subquery(previous, output_field=IntegerField())


def _rating_figures() -> dict:
    """The aggregates of `building_year_figures`, for grouped queries."""
    return {
        "star_rated": Count("pk", filter=Q(stars__gte=1)),
        "new_three_star": Count(
            "pk",
            filter=Q(stars=3)
            & (Q(previous_stars__isnull=True) | Q(previous_stars__lt=3)),
        ),
        "upgraded_four_star": Count("pk", filter=Q(stars=4, previous_stars__lt=4)),
    }


def building_figures_by_year(years=None) -> dict[int, dict]:
    """`building_year_figures` for many years at once (two grouped queries).

    Only years with a rating or a district application appear. `years=None`: all.
    """
    ratings = Rating.objects.all()
    applications = DistrictApplication.objects.all()
    if years is not None:
        ratings = ratings.filter(year__in=list(years))
        applications = applications.filter(year__in=list(years))
    zero = {"star_rated": 0, "new_three_star": 0, "upgraded_four_star": 0}
    figures: dict[int, dict] = {}
    for row in (
        ratings.annotate(previous_stars=_previous_stars())
        .values("year")
        .annotate(**_rating_figures())
        .order_by()
    ):
        year = row.pop("year")
        figures[year] = {**row, "district_applications": 0}
    for year, n in (
        applications.values("year")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("year", "n")
    ):
        figures.setdefault(year, {**zero})["district_applications"] = n
    return figures


def building_year_breakdown(year: int) -> dict:
    """What the yearly report shows beyond the headline figures, in four queries.

    Groups rated per number of stars (0…5), the headline figures per residential
    area (area id → figures), and the showcase (集锦): featured groups with their
    stars that year, first photo (storage names) and video address.
    """
    ratings = Rating.objects.filter(year=year)
    stars = dict(
        ratings.values("stars")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("stars", "n")
    )
    by_area = {
        row.pop("group__area_id"): {**row, "district_applications": 0}
        for row in ratings.annotate(previous_stars=_previous_stars())
        .values("group__area_id")
        .annotate(**_rating_figures())
        .order_by()
    }
    zero = {"star_rated": 0, "new_three_star": 0, "upgraded_four_star": 0}
    for area_id, n in (
        DistrictApplication.objects.filter(year=year)
        .values("group__area_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("group__area_id", "n")
    ):
        by_area.setdefault(area_id, {**zero})["district_applications"] = n
    first_photo = BuildingPhoto.objects.filter(group=OuterRef("pk")).order_by("pk")
    showcase = list(
        BuildingGroup.objects.filter(featured=True)
        .annotate(
            stars_that_year=Subquery(
                Rating.objects.filter(group=OuterRef("pk"), year=year).values("stars")[
                    :1
                ],
                output_field=IntegerField(),
            ),
            photo=Subquery(first_photo.values("image")[:1]),
            thumbnail=Subquery(first_photo.values("thumbnail")[:1]),
            caption=Subquery(first_photo.values("caption")[:1]),
        )
        .order_by("area__name", "name")
        .values(
            "pk",
            "name",
            "area__name",
            "feature",
            "story",
            "video_url",
            "stars_that_year",
            "photo",
            "thumbnail",
            "caption",
        )
    )
    for case in showcase:
        case["stars"] = case.pop("stars_that_year")
    return {
        "stars": {n: stars.get(n, 0) for n in range(6)},
        "by_area": by_area,
        "showcase": showcase,
    }
