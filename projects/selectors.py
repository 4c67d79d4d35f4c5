"""Reads of autonomy projects shared by pages, the home page and the yearly report."""

from dataclasses import dataclass
from fractions import Fraction

from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from nanxi import fragments, permissions
from nanxi.i18n import wants_english
from projects import workflow
from projects.models import (
    STAGES,
    Comment,
    Contribution,
    Evaluation,
    Need,
    Pledge,
    Project,
    Step,
    StepCode,
    Topic,
    Vote,
    VoteResult,
    VoteRule,
    stage_of,
)

STEP_LABELS_CACHE_KEY = "projects:step-labels"

# Versions (nanxi.fragments) of what the project pages show, bumped by the services:
# which projects the lists hold (counts, stages, years, filters) …
PROJECTS = "projects"
# … and the year's figures beyond which projects there are (crowdfunding,
# beneficiaries): the home page's headlines are cached by both.
FIGURES = "project-figures"
# … and the needs board: which needs are open, and which have a reply.
NEEDS = "needs"


def project_version(pk: int) -> str:
    """… and one project's card and page."""
    return f"project:{pk}"


def step_labels() -> dict[int, str]:
    """Code → label, staff's renamings over the built-in (translated) names.

    A renaming is in Chinese (`label`) and may have an English twin (`label_en`);
    English pages show the twin, or else the built-in English name.
    """
    custom = cache.get(STEP_LABELS_CACHE_KEY)
    if custom is None:
        custom = {
            code: {"zh": label, "en": label_en}
            for code, label, label_en in Step.objects.values_list(
                "code", "label", "label_en"
            )
            if label or label_en
        }
        cache.set(STEP_LABELS_CACHE_KEY, custom, 3600)
    language = "en" if wants_english() else "zh"
    return {
        code: custom.get(code, {}).get(language) or str(label)
        for code, label in StepCode.choices
    }


def step_texts(labels: dict[int, str] | None = None) -> dict[int, str]:
    """Code → 「第二阶段 议事 · 第5步 民主协商」, made once for a whole page of cards."""
    labels = labels or step_labels()
    return {
        code: _("%(stage)s · Step %(step)s %(label)s")
        % {"stage": STAGES[stage_of(code)], "step": code, "label": labels[code]}
        for code in labels
    }


def project_list(user):
    return (
        Project.objects.visible_to(user)
        .with_totals()
        .select_related("area")
        .prefetch_related("topics")
    )


def project_cards(ids) -> list[Project]:
    """The projects of a page of cards with what a card shows (three queries)."""
    return list(
        Project.objects.filter(pk__in=list(ids))
        .with_totals()
        .select_related("area")
        .prefetch_related("topics")
    )


def list_scope(user, own: "OwnProjects | None" = None) -> str:
    """Who sees the same list (`Project.objects.visible_to`): visitors and residents
    alike see public projects, except their own drafts; staff also their areas'.
    "public": what this person sees is exactly what everyone sees."""
    if not user.is_authenticated:
        return "public"
    if permissions.is_street_staff(user):
        return "all"
    if permissions.staff_area_ids(user):
        return f"u{user.pk}"
    if not (own or own_projects(user)).hidden:
        return "public"  # most residents: the list and its counts shared with all
    return f"u{user.pk}"


def list_queryset(user, scope: str):
    """The projects a list shows to a person of this scope. A "public" list is made
    from the public projects alone, so a draft made a moment after the scope was
    worked out never reaches a list shared with everyone."""
    if scope == "public":
        return Project.objects.filter(Project.objects.public_q())
    return Project.objects.visible_to(user)


@dataclass(frozen=True)
class OwnProjects:
    """What the lists show of one person: whether they have a draft or withdrawn
    project (only they see it), and their vote on each project they voted on."""

    hidden: bool
    votes: dict[int, str]


def own_projects(user, request=None) -> OwnProjects:
    """Cached by the lists' version (new projects and moves bump it) and the
    person's votes' (`vote_cast`): one round trip, two queries when either moved.
    With `request`, the page being made records those versions."""
    return fragments.by_version(
        f"projects:own:{user.pk}",
        (PROJECTS, voter_version(user.pk)),
        lambda: OwnProjects(
            hidden=Project.objects.filter(proposer=user)
            .exclude(Project.objects.public_q())
            .exists(),
            votes=dict(
                Vote.objects.filter(voter=user).values_list("project_id", "choice")
            ),
        ),
        request=request,
    )


def project_years() -> list[int]:
    """The years that have projects, newest first (for the list's year filter)."""
    return reporting_years()


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The list filter's options that are data: topics, areas, years (three queries)."""
    from nanxi.models import ResidentialArea

    return {
        "topic": [(str(topic.pk), str(topic)) for topic in Topic.objects.all()],
        "area": [
            (str(pk), name)
            for pk, name in ResidentialArea.objects.values_list("pk", "name")
        ],
        "year": [(str(year), str(year)) for year in project_years()],
    }


def voter_version(user_id: int) -> str:
    """The version of one person's votes (bumped by `services.vote_cast`)."""
    return f"voter:{user_id}"


def my_votes(user, ids, own: OwnProjects | None = None) -> dict[int, str]:
    """Project id → this person's choice, for a page of cards."""
    if not user.is_authenticated or not ids:
        return {}
    votes = (own or own_projects(user)).votes
    return {pk: votes[pk] for pk in ids if pk in votes}


def project_showcase():
    """The project showcase: completed projects with their case summary, newest first."""
    return (
        Project.objects.showcase()
        .with_satisfaction()
        .select_related("area")
        .prefetch_related("topics", "photos")
        .order_by("-updated_at", "-pk")
    )


def project_detail(user, pk: int) -> Project:
    """One project with everything its page shows, in a fixed number of queries."""
    from projects.models import ProgressUpdate, ProjectPhoto, StepChange

    comments = Comment.objects.select_related("author__profile__area")
    queryset = project_list(user)
    pending = Pledge.objects.filter(
        project=OuterRef("pk"), status=Pledge.Status.PENDING
    ).order_by()
    queryset = queryset.annotate(
        pledges_pending=Coalesce(
            Subquery(
                pending.values("project").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
    )
    queryset = queryset.with_satisfaction()
    if user.is_authenticated:
        queryset = queryset.annotate(**_own_annotations(user))
    project = (
        queryset.with_electorate()
        .select_related("proposer__profile__area", "area__vote_rule", "need")
        .prefetch_related(
            Prefetch("photos", queryset=ProjectPhoto.objects.all()),
            Prefetch(
                "step_changes",
                queryset=StepChange.objects.select_related("actor__profile__area"),
            ),
            Prefetch("comments", queryset=comments),
            # What happened to each one's money (stopped) and where it came from
            # (moved here from a stopped project): in the same query.
            Prefetch(
                "contributions",
                queryset=Contribution.objects.select_related(
                    "disposition__moved_to__project",
                    "moved_from__contribution__project",
                ),
            ),
            Prefetch(
                "progress_updates",
                queryset=ProgressUpdate.objects.select_related("author__profile__area"),
            ),
        )
        .get(pk=pk)
    )
    _split_photos(project)
    return project


# What of the person reading it a project's page shows (annotations of the project
# by `project_detail` and `project_for_audience`). A shared page is shared only by
# people with the same values here (projects.views._detail_audience).
OWN_FIELDS = ("my_vote", "my_stars", "my_pledge_id", "my_pledge_amount")


def _own_annotations(user) -> dict:
    pending = Pledge.objects.filter(
        project=OuterRef("pk"), status=Pledge.Status.PENDING, pledger=user
    ).order_by()  # at most one (a constraint)
    mine = Vote.objects.filter(project=OuterRef("pk"), voter=user).values("choice")
    rating = Evaluation.objects.filter(project=OuterRef("pk"), resident=user)
    return dict(
        zip(
            OWN_FIELDS,
            (
                Subquery(mine),
                Subquery(rating.values("stars")[:1]),
                Subquery(pending.values("pk")[:1]),
                Subquery(pending.values("amount")[:1]),
            ),
            strict=True,
        )
    )


def project_for_audience(user, pk: int) -> Project:
    """The project's own fields and this person's part in it (one query): what
    `permissions.allowed` and `OWN_FIELDS` read, without the page's lists."""
    queryset = Project.objects.visible_to(user)
    if user.is_authenticated:
        queryset = queryset.annotate(**_own_annotations(user))
    return queryset.get(pk=pk)


def _split_photos(project: Project) -> None:
    """`proposal_photos` on the project, `photo_list` on each progress update.

    One query fetched them all; sorted out here so the page's count stays fixed.
    """
    by_update: dict[int | None, list] = {}
    for photo in project.photos.all():
        by_update.setdefault(photo.progress_update_id, []).append(photo)
    project.proposal_photos = by_update.get(None, [])
    for update in project.progress_updates.all():
        update.photo_list = by_update.get(update.pk, [])


def vote_result(project_id: int) -> VoteResult:
    """A project's vote counted against its area's rule (one query)."""
    project = (
        Project.objects.with_totals()
        .with_electorate()
        .select_related("area__vote_rule")
        .get(pk=project_id)
    )
    return vote_result_of(project)


def vote_result_of(project: Project) -> VoteResult:
    """The result of a project loaded by `project_detail` (no query of its own:
    the area's rule comes with it, the street's default from the cache)."""
    counts = {
        "support": project.votes_support,
        "oppose": project.votes_oppose,
        "abstain": project.votes_abstain,
        "electorate": project.electorate,
        "not_voted": project.not_voted,
    }
    rule = VoteRule.for_area(project.area)
    if rule is None:
        # The street's default was deleted: nothing passes until it is set again
        # (services.announce_refusal says so).
        cast = counts["support"] + counts["oppose"] + counts["abstain"]
        electorate = counts["electorate"]
        return VoteResult(
            **counts,
            turnout=Fraction(cast, electorate) if electorate else Fraction(0),
            turnout_ok=False,
            majority_ok=False,
            rule=None,
        )
    return rule.check_result(**counts)


def projects_year_figures(year: int) -> dict:
    """The newsletter's project figures for one year, in two aggregate queries."""
    # A project counts in the year it was announced (step 7), whatever happened later.
    counted = Project.objects.in_year(year)
    figures = counted.aggregate(
        total=Count("pk"),
        event=Count("pk", filter=Q(category=Project.Category.EVENT)),
        team=Count("pk", filter=Q(category=Project.Category.TEAM)),
        doorstep=Count("pk", filter=Q(category=Project.Category.DOORSTEP)),
        beneficiaries=Sum("beneficiaries", default=0),
    )
    figures["crowdfunding"] = (
        Contribution.objects.kept()
        .filter(project__in=counted)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return figures


def reporting_years() -> list[int]:
    return list(
        Project.objects.exclude(year=None)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def _counted_figures() -> dict:
    """The aggregates of `projects_year_figures`, for grouped queries."""
    return {
        "total": Count("pk"),
        **{
            category: Count("pk", filter=Q(category=category))
            for category in Project.Category.values
        },
        "beneficiaries": Sum("beneficiaries", default=0),
    }


def projects_figures_by_year(years=None) -> dict[int, dict]:
    """`projects_year_figures` for many years at once (two grouped queries).

    Only years with at least one counted project appear. `years=None`: every year.
    """
    counted = Project.objects.exclude(year=None)
    if years is not None:
        counted = counted.filter(year__in=list(years))
    rows = counted.values("year").annotate(**_counted_figures()).order_by()
    money = dict(
        Contribution.objects.kept()
        .filter(project__in=counted)
        .values("project__year")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("project__year", "total")
    )
    figures = {}
    for row in rows:
        year = row.pop("year")
        figures[year] = {**row, "crowdfunding": money.get(year) or 0}
    return figures


def projects_year_breakdown(year: int) -> dict:
    """What the yearly report shows beyond the headline figures, in five queries.

    By residential area (area id → counts, beneficiaries, crowdfunding), by topic
    (name, count; most frequent first), by step and outcome, and the year's
    projects themselves as plain rows (title, area name, category, step, outcome),
    ordered for a printed list.
    """
    counted = Project.objects.in_year(year)
    by_area = {
        row.pop("area_id"): row
        for row in counted.values("area_id").annotate(**_counted_figures()).order_by()
    }
    money = (
        Contribution.objects.kept()
        .filter(project__year=year)
        .values("project__area_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("project__area_id", "total")
    )
    for area_id, total in money:
        by_area.setdefault(area_id, {})["crowdfunding"] = total
    by_topic = list(
        Topic.objects.filter(projects__year=year)
        .annotate(n=Count("projects"))
        .order_by("-n", "name")
        .values_list("name", "n")
    )
    by_step = list(
        counted.values("step", "outcome")
        .annotate(n=Count("pk"))
        .order_by("step", "outcome")
        .values_list("step", "outcome", "n")
    )
    projects = list(
        counted.order_by("area__name", "category", "title", "pk").values_list(
            "title", "area__name", "category", "step", "outcome"
        )
    )
    return {
        "by_area": by_area,
        "by_topic": by_topic,
        "by_step": by_step,
        "projects": projects,
    }


def money_targets(project: Project) -> list[Project]:
    """Where the money of `project`, being stopped, may move (转入): the other open
    projects of its area that take contributions now (permissions.can_move_money_to
    decides; this is the list staff choose from)."""
    return list(
        Project.objects.filter(
            area_id=project.area_id,
            outcome=Project.Outcome.OPEN,
            step__in=sorted(workflow.OPEN_AT[workflow.Activity.CONTRIBUTE]),
        )
        .exclude(pk=project.pk)
        .order_by("title", "pk")
        .only("title", "area_id", "step", "outcome")
    )


def pledges_to_confirm(project: Project):
    """A project's pledges for its staff page: waiting first, then the decided ones."""
    return (
        Pledge.objects.filter(project=project)
        .select_related("pledger__profile__area", "decided_by__profile__area")
        .order_by("-status", "created_at")
    )


def evaluations_of(project: Project):
    """A project's ratings, newest first, with who gave or entered each."""
    return Evaluation.objects.filter(project=project).select_related(
        "resident__profile__area", "entered_by__profile__area"
    )


def waiting(projects):
    """`waiting_since`: when each project last moved (`Project.moved_at`, written
    with its newest step change), for the staff work list."""
    return projects.annotate(waiting_since=F("moved_at"))


def needs_waiting(user):
    """Open needs in this staff member's areas that have no reply yet."""
    return permissions.in_scope(
        Need.objects.filter(status=Need.Status.OPEN, reply=""), user
    )


def work_list(user):
    """The open, submitted projects this staff member acts on, with what the work
    list shows (title, area, step, waiting since) and nothing else."""
    return waiting(
        permissions.in_scope(
            Project.objects.visible_to(user).filter(
                outcome=Project.Outcome.OPEN, step__gte=StepCode.SUBMIT
            ),
            user,
        )
        .select_related("area")
        .only("title", "step", "moved_at", "area__name")
    )
