"""The year's figures: the one place that reads across the apps (the top floor).

The home page and the yearly report call the same functions. Each app keeps its own
year selectors (SQL aggregates); this module composes them into frozen dataclasses,
in a constant number of queries whatever the amount of data.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils import timezone

from buildings.selectors import building_figures_by_year, building_year_breakdown
from buildings.services import GROUPS
from committees.selectors import year_figures as committee_year_figures
from nanxi import fragments
from nanxi.models import ResidentialArea
from projects.selectors import (
    FIGURES,
    PROJECTS,
    projects_figures_by_year,
    projects_year_breakdown,
)


@dataclass(frozen=True)
class AreaFigures:
    """One residential area's part of the year."""

    area: str
    projects: int = 0
    event: int = 0
    team: int = 0
    doorstep: int = 0
    beneficiaries: int = 0
    crowdfunding: Decimal = Decimal(0)
    star_rated: int = 0
    new_three_star: int = 0
    upgraded_four_star: int = 0
    district_applications: int = 0


@dataclass(frozen=True)
class ProjectRow:
    title: str
    area: str
    category: str  # Project.Category value
    step: int
    outcome: str  # Project.Outcome value


@dataclass(frozen=True)
class ProjectFigures:
    """自治项目: counted in the year they were announced (step 7)."""

    total: int = 0
    event: int = 0
    team: int = 0
    doorstep: int = 0
    beneficiaries: int = 0
    # Money kept (Contribution.objects.kept()): refunded money is not counted, and
    # money moved from a stopped project counts once, in the project it went to.
    crowdfunding: Decimal = Decimal(0)
    by_topic: tuple[tuple[str, int], ...] = ()  # most frequent first
    by_step: tuple[tuple[int, str, int], ...] = ()  # (step, outcome, count)
    rows: tuple[ProjectRow, ...] = ()


@dataclass(frozen=True)
class ShowcaseCase:
    """A featured building group (集锦). Photo fields are storage names, or ""."""

    name: str
    area: str
    feature: str
    story: str
    stars: int | None
    video_url: str
    group_pk: int
    photo: str = ""
    thumbnail: str = ""
    caption: str = ""


@dataclass(frozen=True)
class BuildingFigures:
    """星级美丽楼组: ratings of the year, compared with each group's previous one."""

    star_rated: int = 0
    new_three_star: int = 0
    upgraded_four_star: int = 0
    district_applications: int = 0
    stars: tuple[tuple[int, int], ...] = ()  # (stars 0…5, groups)
    showcase: tuple[ShowcaseCase, ...] = ()


# The keys `committees.selectors.year_figures(year)` is expected to return.
COMMITTEE_KEYS = (
    "formations",
    "re_elections",
    "assessments_passed",
    "assessments_taken",
    "expired_terms",
)


@dataclass(frozen=True)
class CommitteeFigures:
    """业委会. Any figure the committees app does not (yet) give is None, shown "—"."""

    formations: int | None = None
    re_elections: int | None = None
    assessments_passed: int | None = None
    assessments_taken: int | None = None
    expired_terms: int | None = None
    weak_items: tuple[tuple[str, int], ...] = ()  # (item, committees), most first

    @classmethod
    def from_dict(cls, data: dict | None) -> "CommitteeFigures":
        """Take whatever a committees selector returns; unknown keys are ignored."""
        data = data or {}
        weak = data.get("weak_items") or ()
        if isinstance(weak, dict):
            weak = sorted(weak.items(), key=lambda item: (-item[1], item[0]))
        return cls(
            **{key: _int_or_none(data.get(key)) for key in COMMITTEE_KEYS},
            weak_items=tuple((str(name), int(n)) for name, n in weak),
        )

    @property
    def known(self) -> bool:
        return any(getattr(self, key) is not None for key in COMMITTEE_KEYS)


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class YearFigures:
    year: int
    complete: bool  # False for the year to date
    projects: ProjectFigures = field(default_factory=ProjectFigures)
    buildings: BuildingFigures = field(default_factory=BuildingFigures)
    committees: CommitteeFigures = field(default_factory=CommitteeFigures)
    areas: tuple[AreaFigures, ...] = ()  # every residential area, by name

    def as_json(self) -> dict:
        """The figures as JSON-ready data (Decimals as strings): what a report printed."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Headline:
    """The home page's figures of one year."""

    year: int
    complete: bool
    projects: dict
    buildings: dict

    @property
    def worth_showing(self) -> bool:
        """Projects or star-rated groups to tell of, not a year that has just begun."""
        return bool(self.projects["total"] or self.buildings["star_rated"])


PROJECT_ZERO = {
    "total": 0,
    "event": 0,
    "team": 0,
    "doorstep": 0,
    "beneficiaries": 0,
    "crowdfunding": 0,
}
BUILDING_ZERO = {
    "star_rated": 0,
    "new_three_star": 0,
    "upgraded_four_star": 0,
    "district_applications": 0,
}


def committee_figures(year: int) -> dict:
    """The committees app's figures of `year` (its own selector, four queries)."""
    return committee_year_figures(year)


def headlines(today=None) -> dict[int, Headline]:
    """Every year's headline figures (four queries in all), newest year first."""
    this_year = (today or timezone.localdate()).year
    projects = projects_figures_by_year()
    buildings = building_figures_by_year()
    years = sorted(set(projects) | set(buildings), reverse=True)
    return {
        year: Headline(
            year=year,
            complete=year < this_year,
            projects=projects.get(year, PROJECT_ZERO),
            buildings=buildings.get(year, BUILDING_ZERO),
        )
        for year in years
    }


# What the headlines are made of, by the versions their writers bump: projects
# (new, moved, recategorised: `projects`), their money and beneficiaries
# (`project-figures`: contribution_record, project_stop, evaluation_record) and
# ratings (`groups`: rating_save). Committees' figures are not among the headlines.
HEADLINE_VERSIONS = (PROJECTS, FIGURES, GROUPS)


def cached_headlines(*, request=None, today=None) -> dict[int, Headline]:
    """`headlines`, kept in the cache while none of its versions changed.

    One round trip instead of four aggregate queries over every project and
    rating; the year is part of the key (which year is complete changes with it).
    """
    this_year = (today or timezone.localdate()).year
    return fragments.by_version(
        f"reports:headlines:{this_year}",
        HEADLINE_VERSIONS,
        lambda: headlines(today),
        request=request,
    )


def reporting_years(today=None) -> list[int]:
    """Years with figures worth showing, newest first."""
    return [year for year, h in headlines(today).items() if h.worth_showing]


def home_years(
    all_years: dict[int, Headline] | None = None, today=None
) -> tuple[Headline | None, Headline | None, list[int]]:
    """(last complete year, year to date, all years) for the home page.

    The last complete year leads; the year to date is shown beside it once it has
    something to tell. Only when no complete year has figures does the year to date
    stand alone: a year just begun never replaces the last one with zeros.
    """
    if all_years is None:
        all_years = headlines(today)
    by_year = {y: h for y, h in all_years.items() if h.worth_showing}
    complete = next((h for h in by_year.values() if h.complete), None)
    to_date = next((h for h in by_year.values() if not h.complete), None)
    return complete, to_date, list(by_year)


def year_figures(year: int, *, today=None) -> YearFigures:
    """Every figure of `year` for the yearly report, in a constant number of queries.

    Projects: 2 + 5, building groups: 2 + 4, residential areas: 1, and whatever
    the committees app's selector needs.
    """
    this_year = (today or timezone.localdate()).year
    headline_p = projects_figures_by_year([year]).get(year, PROJECT_ZERO)
    headline_b = building_figures_by_year([year]).get(year, BUILDING_ZERO)
    detail_p = projects_year_breakdown(year)
    detail_b = building_year_breakdown(year)
    areas = []
    for area in ResidentialArea.objects.order_by("name").values("pk", "name"):
        p = detail_p["by_area"].get(area["pk"], {})
        b = detail_b["by_area"].get(area["pk"], {})
        areas.append(
            AreaFigures(
                area=area["name"],
                projects=p.get("total", 0),
                event=p.get("event", 0),
                team=p.get("team", 0),
                doorstep=p.get("doorstep", 0),
                beneficiaries=p.get("beneficiaries", 0),
                crowdfunding=Decimal(p.get("crowdfunding") or 0),
                **{key: b.get(key, 0) for key in BUILDING_ZERO},
            )
        )
    return YearFigures(
        year=year,
        complete=year < this_year,
        projects=ProjectFigures(
            total=headline_p["total"],
            event=headline_p["event"],
            team=headline_p["team"],
            doorstep=headline_p["doorstep"],
            beneficiaries=headline_p["beneficiaries"],
            crowdfunding=Decimal(headline_p["crowdfunding"] or 0),
            by_topic=tuple(detail_p["by_topic"]),
            by_step=tuple(detail_p["by_step"]),
            rows=tuple(ProjectRow(*row) for row in detail_p["projects"]),
        ),
        buildings=BuildingFigures(
            **headline_b,
            stars=tuple(detail_b["stars"].items()),
            showcase=tuple(
                ShowcaseCase(
                    name=case["name"],
                    area=case["area__name"],
                    feature=case["feature"],
                    story=case["story"],
                    stars=case["stars"],
                    video_url=case["video_url"],
                    group_pk=case["pk"],
                    photo=case["photo"] or "",
                    thumbnail=case["thumbnail"] or "",
                    caption=case["caption"] or "",
                )
                for case in detail_b["showcase"]
            ),
        ),
        committees=CommitteeFigures.from_dict(committee_figures(year)),
        areas=tuple(areas),
    )
