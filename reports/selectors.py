"""The year's figures: the one place that reads across the apps (the top floor).

The home page and the yearly report call the same functions.
"""

from buildings.selectors import building_year_figures
from projects.selectors import projects_year_figures
from projects.selectors import reporting_years as project_years


def reporting_years() -> list[int]:
    """Years with something to report, newest first."""
    return project_years()


def year_figures(year: int) -> dict:
    """The headline figures of one year."""
    return {
        "projects": projects_year_figures(year),
        "buildings": building_year_figures(year),
    }
