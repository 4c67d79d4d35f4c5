"""What the yearly report says: the year's figures turned into translated text.

`report_content(figures)` is the one place where the report's wording lives; the
renderer (`reports.pdf.render_report`) only lays it out. Photos are read from
storage here, so the renderer stays pure.
"""

import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from projects.models import STAGES, Project, StepCode, stage_of
from reports.pdf import Case, Chart, ReportContent, Section, TableData
from reports.selectors import YearFigures

logger = logging.getLogger(__name__)

DASH = "—"


def number(value) -> str:
    """A count or an amount as printed: digits only, no grouping, "—" if unknown."""
    if value is None:
        return DASH
    if isinstance(value, Decimal):
        whole = value == value.to_integral()
        value = value.quantize(Decimal(1) if whole else Decimal("0.01"))
    return str(value)


def _yuan(value) -> str:
    return _("%(amount)s yuan") % {"amount": number(value)}


def report_content(figures: YearFigures, *, today: date | None = None) -> ReportContent:
    """The report of `figures.year` as plain, translated data for the renderer."""
    today = today or timezone.localdate()
    year = figures.year
    title = _("%(year)s Annual Report on Grassroots Democratic Self-Governance") % {
        "year": year
    }
    subtitle = _("Community self-governance+ · Fumin Nanxi · Charming city heart")
    if not figures.complete:
        subtitle = _("The year to date, as of %(date)s") % {
            "date": formats.date_format(today, "DATE_FORMAT")
        }
    issuer = _("Nanjing West Road Sub-district Office")
    return ReportContent(
        issuer=issuer,
        title=title,
        subtitle=subtitle,
        date_line=_("Printed on %(date)s")
        % {"date": formats.date_format(today, "DATE_FORMAT")},
        contents_title=_("Contents"),
        sections=(
            _projects_section(figures),
            _buildings_section(figures),
            _committees_section(figures),
        ),
        closing_title=_("Looking ahead"),
        closing_text=(
            _(
                "Every figure in this report comes from the self-governance portal: "
                "from the proposals, votes and contributions of residents, the "
                "ratings of building groups and the work of owners' committees."
            ),
            _(
                "Thank you to every resident, group leader, volunteer and committee "
                "member who took part. Community building needs each one of us: be a "
                "participant, a witness and a beneficiary."
            ),
        ),
        page_label=_("Page %(page)s"),
        author=issuer,
        keywords=(str(year), _("self-governance")),
    )


def _projects_section(figures: YearFigures) -> Section:
    p = figures.projects
    categories = dict(Project.Category.choices)
    outcomes = dict(Project.Outcome.choices)
    steps = dict(StepCode.choices)
    summary = _(
        "In %(year)s the street's residents ran %(total)s autonomy projects: "
        "%(event)s event planning, %(team)s team building and %(doorstep)s doorstep "
        "projects. They benefited %(beneficiaries)s person-times and were supported "
        "by %(crowdfunding)s of self-governance crowdfunding. A project counts in the "
        "year it was announced (step 7)."
    ) % {
        "year": figures.year,
        "total": p.total,
        "event": p.event,
        "team": p.team,
        "doorstep": p.doorstep,
        "beneficiaries": p.beneficiaries,
        "crowdfunding": _yuan(p.crowdfunding),
    }
    area_rows = [
        (
            a.area,
            number(a.projects),
            number(a.event),
            number(a.team),
            number(a.doorstep),
            number(a.beneficiaries),
            number(a.crowdfunding),
        )
        for a in figures.areas
    ]
    area_rows.append(
        (
            _("Whole street"),
            number(p.total),
            number(p.event),
            number(p.team),
            number(p.doorstep),
            number(p.beneficiaries),
            number(p.crowdfunding),
        )
    )
    tables = [
        TableData(
            title=_("Projects by residential area"),
            header=(
                _("Residential area"),
                _("Projects"),
                _("Event planning"),
                _("Team building"),
                _("Doorstep"),
                _("Beneficiaries (person-times)"),
                _("Crowdfunding (yuan)"),
            ),
            rows=tuple(area_rows),
            widths=(0.18, 0.1, 0.12, 0.12, 0.12, 0.18, 0.18),
            numeric=(1, 2, 3, 4, 5, 6),
            total=True,
        ),
    ]
    if p.by_topic:
        tables.append(
            TableData(
                title=_("Projects by topic"),
                header=(_("Topic"), _("Projects")),
                rows=tuple((name, number(n)) for name, n in p.by_topic),
                widths=(0.7, 0.3),
                numeric=(1,),
            )
        )
    if p.by_step:
        tables.append(
            TableData(
                title=_("Where the year's projects stand"),
                header=(_("Stage"), _("Step"), _("Outcome"), _("Projects")),
                rows=tuple(
                    (
                        str(STAGES[stage_of(step)]),
                        _("Step %(step)s %(label)s")
                        % {"step": step, "label": steps[step]},
                        str(outcomes.get(outcome, outcome)),
                        number(n),
                    )
                    for step, outcome, n in p.by_step
                ),
                widths=(0.3, 0.3, 0.2, 0.2),
                numeric=(3,),
            )
        )
    if p.rows:
        tables.append(
            TableData(
                title=_("The year's projects"),
                header=(
                    _("No."),
                    _("Project"),
                    _("Residential area"),
                    _("Category"),
                    _("Step"),
                    _("Outcome"),
                ),
                rows=tuple(
                    (
                        str(n),
                        row.title,
                        row.area,
                        str(categories.get(row.category, row.category)),
                        _("Step %(step)s %(label)s")
                        % {"step": row.step, "label": steps[row.step]},
                        str(outcomes.get(row.outcome, row.outcome)),
                    )
                    for n, row in enumerate(p.rows, start=1)
                ),
                widths=(0.07, 0.33, 0.13, 0.14, 0.2, 0.13),
                numeric=(0,),
            )
        )
    return Section(
        title=_("Residents' autonomy projects"),
        summary=summary,
        highlights=(
            (number(p.total), _("autonomy projects")),
            (number(p.beneficiaries), _("beneficiaries (person-times)")),
            (number(p.crowdfunding), _("crowdfunding (yuan)")),
            (
                f"{p.event} / {p.team} / {p.doorstep}",
                _("event planning / team building / doorstep"),
            ),
        ),
        chart=Chart(
            title=_("Projects by category"),
            labels=tuple(str(label) for label in categories.values()),
            values=(p.event, p.team, p.doorstep),
        )
        if p.total
        else None,
        chart_note="" if p.total else _("No project was announced this year."),
        tables=tuple(tables),
    )


def _stars(n: int | None) -> str:
    if not n:
        return _("below one star")
    return "★" * n


def _buildings_section(figures: YearFigures) -> Section:
    b = figures.buildings
    summary = _(
        "In %(year)s, %(star_rated)s building groups were rated with stars against "
        "the street's standard for beautiful building groups: %(new_three)s became "
        "three-star groups and %(upgraded)s were upgraded to four stars, compared "
        "with their previous rating. %(applications)s groups applied for the "
        "district's beautiful building group title."
    ) % {
        "year": figures.year,
        "star_rated": b.star_rated,
        "new_three": b.new_three_star,
        "upgraded": b.upgraded_four_star,
        "applications": b.district_applications,
    }
    rated = any(n for _stars_, n in b.stars)
    area_rows = [
        (
            a.area,
            number(a.star_rated),
            number(a.new_three_star),
            number(a.upgraded_four_star),
            number(a.district_applications),
        )
        for a in figures.areas
    ]
    area_rows.append(
        (
            _("Whole street"),
            number(b.star_rated),
            number(b.new_three_star),
            number(b.upgraded_four_star),
            number(b.district_applications),
        )
    )
    return Section(
        title=_("Star-rated beautiful building groups"),
        summary=summary,
        highlights=(
            (number(b.star_rated), _("star-rated building groups")),
            (number(b.new_three_star), _("newly three-star")),
            (number(b.upgraded_four_star), _("upgraded to four stars")),
            (number(b.district_applications), _("applying for district level")),
        ),
        chart=Chart(
            title=_("Building groups by stars"),
            labels=tuple(_stars(n) for n, _count in b.stars),
            values=tuple(count for _n_, count in b.stars),
        )
        if rated
        else None,
        chart_note="" if rated else _("No building group was rated this year."),
        tables=(
            TableData(
                title=_("Building groups by residential area"),
                header=(
                    _("Residential area"),
                    _("Star-rated"),
                    _("Newly three-star"),
                    _("Upgraded to four stars"),
                    _("District applications"),
                ),
                rows=tuple(area_rows),
                widths=(0.24, 0.19, 0.19, 0.19, 0.19),
                numeric=(1, 2, 3, 4),
                total=True,
            ),
        ),
        cases_title=_("Showcase: one building, one feature"),
        cases=tuple(_case(case) for case in b.showcase),
    )


def _case(case) -> Case:
    url = case.video_url
    caption = _("Scan to watch the group's video")
    if not url and getattr(settings, "SITE_URL", ""):
        url = settings.SITE_URL.rstrip("/") + reverse(
            "buildings:detail", args=[case.group_pk]
        )
        caption = _("Scan to see the group on the portal")
    parts = [_("%(area)s residential area") % {"area": case.area}]
    if case.stars:
        parts.append("★" * case.stars)
    if case.feature:
        parts.append(case.feature)
    return Case(
        name=case.name,
        subtitle="  ".join(parts),
        story=case.story or case.feature,
        photo=_read(case.thumbnail or case.photo),
        photo_caption=case.caption,
        qr_url=url,
        qr_caption=caption if url else "",
    )


def _read(name: str) -> bytes | None:
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as f:
            return f.read()
    except OSError:
        # A lost photo leaves a gap in one case; the report is still worth printing.
        logger.warning("report photo %s is missing", name)
        return None


def _committees_section(figures: YearFigures) -> Section:
    c = figures.committees
    summary = _(
        "In %(year)s, %(re_elections)s owners' committees were re-elected and "
        "%(formations)s formed lawfully; %(passed)s of %(taken)s committees assessed "
        "passed the district's standardisation assessment. %(expired)s committees "
        "have a term that has expired."
    ) % {
        "year": figures.year,
        "re_elections": number(c.re_elections),
        "formations": number(c.formations),
        "passed": number(c.assessments_passed),
        "taken": number(c.assessments_taken),
        "expired": number(c.expired_terms),
    }
    tables = ()
    if c.weak_items:
        tables = (
            TableData(
                title=_("Weak items to coach, point by point"),
                header=(_("Assessment item"), _("Committees scoring below half")),
                rows=tuple((name, number(n)) for name, n in c.weak_items),
                widths=(0.7, 0.3),
                numeric=(1,),
            ),
        )
    chart = None
    if c.known and any((c.formations, c.re_elections, c.assessments_taken)):
        chart = Chart(
            title=_("Owners' committees in the year"),
            labels=(
                _("Formations"),
                _("Re-elections"),
                _("Assessments passed"),
                _("Assessments taken"),
            ),
            values=(
                c.formations or 0,
                c.re_elections or 0,
                c.assessments_passed or 0,
                c.assessments_taken or 0,
            ),
        )
    elif c.weak_items:
        chart = Chart(
            title=_("Most common weak items"),
            labels=tuple(name for name, _count in c.weak_items[:8]),
            values=tuple(n for _name, n in c.weak_items[:8]),
            kind="hbar",
        )
    return Section(
        title=_("Owners' committees"),
        summary=summary,
        highlights=(
            (number(c.re_elections), _("owners' committees re-elected")),
            (number(c.formations), _("owners' committees formed")),
            (number(c.assessments_passed), _("passed the district assessment")),
        ),
        chart=chart,
        chart_note=""
        if chart
        else (
            _("No owners' committee was formed, re-elected or assessed this year.")
            if c.known
            else _("The owners' committees' figures are not on the portal yet.")
        ),
        tables=tables,
    )
