"""The 2020 autonomy projects of the newsletter, built through the workflow services.

33 projects announced (立项公示) in 2020 — 13 活动策划, 9 团队建设, 11 门口实事 —
whose evaluations add up to 14000 beneficiaries and whose contributions add up to
18500.00 yuan, a few of them with their case summary in the project showcase; plus
this year's projects on their way (one with its vote open, one crowdfunding with
pledges waiting), needs on the board with their supporters, and one draft.

Everything goes through the services; where a service stamps "now" (comments,
votes, evaluations, progress, notices), the row's time is set afterwards to the day
it happened, so a 2020 project's history lies in 2020. Random choices are seeded by
the project's title: the same demo every time.
"""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from buildings.models import BuildingGroup
from nanxi import roles
from nanxi.demo import demo_user
from nanxi.demo_pictures import picture
from nanxi.models import Notification, Profile, ResidentialArea
from projects import services
from projects.demo_data import (
    CASE_SUMMARIES,
    COMMENTS,
    COMMENTS_BY_TITLE,
    EVALUATIONS,
    NEIGHBOURS,
    PAPER_EVALUATIONS,
    PROJECTS_2020,
    PROJECTS_NOW,
    RESIDENT_GIFTS,
    STOPPED_NOW,
    D,
    DemoProject,
)
from projects.models import (
    Contribution,
    Need,
    NeedSupport,
    Project,
    ProjectPhoto,
    StepCode,
    Topic,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BENEFICIARIES_2020 = 14000
CROWDFUNDING_2020 = Decimal("18500.00")
# Projects whose season fixes their start: the anti-epidemic teams began in February,
# the Mid-Autumn party and the Double Ninth lunch are carried out in the autumn.
STARTS = {
    "护弄队": date(2020, 2, 3),
    "自管小组": date(2020, 2, 10),
    "志愿者服务队": date(2020, 2, 6),
    "抗疫说唱作品创作": date(2020, 2, 17),
    "“笔歌中华”书画班抗疫作品展": date(2020, 2, 24),
    "墨香书画沙龙宣传小视频": date(2020, 3, 2),
    "中秋邻里联欢会": date(2020, 7, 27),
    "重阳敬老邻里宴": date(2020, 8, 24),
}
# Days spent before moving into each step (a range; the project's seed picks).
DAYS_BEFORE = {
    StepCode.ACCEPT: (3, 9),
    StepCode.CONSULT: (2, 6),
    StepCode.VOTE: (8, 12),
    StepCode.ANNOUNCE: (8, 10),  # a week's vote, closed the next day or two
    StepCode.CROWDFUND: (2, 6),
    StepCode.CARRY_OUT: (14, 28),
    StepCode.ACCEPT_RESULTS: (20, 45),
    StepCode.EVALUATE: (4, 9),
    StepCode.SHARE: (10, 15),
}
VOTE_DAYS = 7
STAFF_REPLIES = [
    "谢谢大家的意见，居委会都记下了，会在居民议事会上一起商量。",
    "意见已转给楼组长，方案会根据大家的建议再调整。",
    "下周三晚上在活动室开议事会，欢迎大家来当面说。",
]
LAST_DAY_2020 = date(2020, 12, 18)


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (the last takes the rest)."""
    scale = sum(weights)
    parts = [total * w // scale for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _weight(share: int, spec: DemoProject) -> int:
    """A project's share, a little uneven: no two projects get the same round sum."""
    return share * 10 + sum(map(ord, spec.title)) % 9


def _when(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


class Stamps:
    """The days things happened, written over the services' "now" in a few queries.

    `bulk_update` writes the values as given: auto_now fields are left alone.
    """

    def __init__(self):
        self.rows: dict[tuple, list] = defaultdict(list)

    def add(self, row, at: datetime, *fields: str) -> None:
        fields = fields or ("created_at",)
        for name in fields:
            setattr(row, name, at)
        self.rows[(type(row), fields)].append(row)

    def write(self) -> None:
        for (model, fields), rows in self.rows.items():
            model.objects.bulk_update(rows, fields, batch_size=250)
        self.rows.clear()


class Story:
    """One project's life: its seeded choices, its days, and who takes part."""

    def __init__(self, spec: DemoProject, area, staff, neighbours: list, stamps):
        self.spec = spec
        self.area = area
        self.staff = staff
        self.neighbours = neighbours
        self.stamps = stamps
        self.rng = random.Random(spec.title)  # noqa: S311 (sample data, seeded)
        self.moved: dict[int, datetime] = {}  # step → when it was reached

    def days(self, step: int) -> timedelta:
        low, high = DAYS_BEFORE[step]
        return timedelta(days=self.rng.randint(low, high))

    def at(self, day: date) -> datetime:
        return _when(day, self.rng.randint(9, 19), self.rng.choice((0, 10, 20, 30, 45)))

    def some(self, low: int, high: int, exclude=()) -> list:
        people = [p for p in self.neighbours if p not in exclude]
        return self.rng.sample(people, min(len(people), self.rng.randint(low, high)))


@transaction.atomic
def load(out) -> None:
    street = demo_user("street@nanxi.example")
    areas = {a.slug: a for a in ResidentialArea.objects.all()}
    topics = {t.name: t for t in Topic.objects.all()}
    existing = set(Project.objects.values_list("title", flat=True))
    neighbours = {slug: _neighbours(areas[slug]) for slug in NEIGHBOURS}
    groups = _groups_by_area()

    evaluated = [p for p in PROJECTS_2020 if p.final >= StepCode.EVALUATE]
    beneficiaries = dict(
        zip(
            [p.title for p in evaluated],
            _shares(BENEFICIARIES_2020, [_weight(p.reach, p) for p in evaluated]),
            strict=True,
        )
    )
    funded = [p for p in PROJECTS_2020 if p.final >= StepCode.CROWDFUND]
    yuan = _shares(int(CROWDFUNDING_2020), [_weight(p.funds, p) for p in funded])
    contributions = {p.title: y for p, y in zip(funded, yuan, strict=True)}

    stamps = Stamps()
    history_from = _last_notice()
    for spec in PROJECTS_2020:
        if spec.title in existing:
            continue
        story = Story(
            spec,
            areas[spec.area],
            _staff_for(spec.area, street),
            neighbours[spec.area],
            stamps,
        )
        start = STARTS.get(spec.title) or date(2020, 1, 6) + timedelta(
            days=story.rng.randint(0, 170)
        )
        _tell(
            story,
            start,
            topics,
            groups,
            beneficiaries=beneficiaries.get(spec.title),
            amount=contributions.get(spec.title),
        )
    # What happened in 2020 is history, not news: its notices were read long ago
    # and are never mailed now.
    _read_notices(pk__gt=history_from)

    today = timezone.localdate()
    for n, spec in enumerate(PROJECTS_NOW):
        if spec.title in existing:
            continue
        story = Story(
            spec,
            areas[spec.area],
            _staff_for(spec.area, street),
            neighbours[spec.area],
            stamps,
        )
        _tell_now(story, today, n, topics, groups)
    stamps.write()
    # Notices older than a week have been read; this week's are news.
    _read_notices(created_at__lt=_when(today - timedelta(days=7)))
    if "楼道绿植角" not in existing:
        services.project_create(
            by=demo_user("resident@nanxi.example"),
            title="楼道绿植角",
            summary="在一楼楼道口放几盆绿植，大家轮流浇水。",
            description="草稿：还要和楼组长商量放在哪里，花盆谁来买。",
            category=D,
            area=areas["huaye"],
            topics=[topics["楼道整治"]],
        )
    _needs(areas, neighbours)
    counted = Project.objects.in_year(2020).count()
    out.write(f"  projects: {Project.objects.count()} ({counted} announced in 2020)")


def _last_notice() -> int:
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def _read_notices(**where) -> None:
    Notification.objects.filter(read_at=None, **where).update(
        read_at=F("created_at") + timedelta(hours=20), emailed_at=F("created_at")
    )


def _groups_by_area() -> dict[int, list]:
    by_area: dict[int, list] = {}
    for group in BuildingGroup.objects.order_by("pk").only("pk", "name", "area_id"):
        by_area.setdefault(group.area_id, []).append(group)
    return by_area


def _linked_groups(story: Story, groups) -> list:
    mine = groups.get(story.area.pk, [])
    if story.spec.groups:
        return [g for g in mine if g.name in story.spec.groups]
    if story.spec.category == D and mine:
        # A doorstep project is done in a lane or two of its area.
        return story.rng.sample(mine, min(len(mine), story.rng.randint(1, 2)))
    return []


def _proposer(story: Story):
    if story.spec.proposer:
        return demo_user(story.spec.proposer)
    return story.rng.choice(
        story.neighbours[2:] if story.area.slug == "huaye" else story.neighbours
    )


def _propose(story: Story, topics, groups, day: date, goal: Decimal) -> Project:
    spec = story.spec
    return services.project_create(
        by=_proposer(story),
        title=spec.title,
        summary=spec.summary,
        description=spec.description,
        category=spec.category,
        area=story.area,
        topics=[topics[spec.topic]],
        building_groups=_linked_groups(story, groups),
        budget_requested=Decimal(spec.budget),
        crowdfunding_goal=goal,
        submit=True,
        at=story.at(day),
    )


def _goal(amount: int, final: int) -> Decimal:
    """Finished projects raised about their goal; those still crowdfunding, less."""
    if final <= StepCode.CROWDFUND:
        return Decimal(max(500, -(-amount * 3 // 2 // 100) * 100))
    return Decimal(max(100, round(amount / 100) * 100))


def _plan(story: Story, start: date) -> dict[int, date]:
    """The day of each move (and of completion, as step 13), all inside 2020."""
    final = story.spec.final
    gaps = {step: story.days(step) for step in range(StepCode.ACCEPT, final + 1)}
    if final == StepCode.SHARE:
        gaps[StepCode.SHARE + 1] = timedelta(days=story.rng.randint(7, 14))
    over = start + sum(gaps.values(), timedelta()) - LAST_DAY_2020
    for step in (StepCode.ACCEPT_RESULTS, StepCode.CARRY_OUT):
        if over.days > 0 and step in gaps:
            cut = min(over, gaps[step] - timedelta(days=10))
            gaps[step] -= cut
            over -= cut
    plan, day = {StepCode.SUBMIT: start}, start
    for step, gap in gaps.items():
        day += gap
        plan[step] = day
    return plan


def _tell(story: Story, start: date, topics, groups, *, beneficiaries, amount) -> None:
    """A 2020 project from its proposal to step `final` (12: completed)."""
    spec, staff = story.spec, story.staff
    plan = _plan(story, start)
    # Where it stops, its activity runs on for a few weeks (not past the year).
    plan.setdefault(
        spec.final + 1, min(plan[spec.final] + timedelta(days=20), LAST_DAY_2020)
    )
    notices_from = _last_notice()
    project = _propose(story, topics, groups, start, _goal(amount or 0, spec.final))
    for step in range(StepCode.SUBMIT, spec.final + 1):
        day, following = plan[step], plan[step + 1]
        if step == StepCode.CONSULT:
            _consult(story, project, day, following)
        if step == StepCode.VOTE:
            _votes(story, project, day, project.vote_closes_on)
        if step == StepCode.CROWDFUND and amount:
            _fund(story, project, amount, day, following)
        if step == StepCode.CARRY_OUT:
            _progress(story, project, day, following)
        if step == StepCode.EVALUATE and beneficiaries:
            _evaluate(story, project, beneficiaries, day, following)
        if step == spec.final:
            break
        extras = {}
        if step == StepCode.CONSULT:
            extras["vote_closes_on"] = following + timedelta(days=VOTE_DAYS)
        _move(story, project, step + 1, story.at(following), **extras)
    last = story.at(plan[spec.final])
    if spec.final == StepCode.SHARE:
        if spec.title in CASE_SUMMARIES:
            services.project_write_summary(
                project=project, by=staff, text=CASE_SUMMARIES[spec.title]
            )
        last = story.at(plan[StepCode.SHARE + 1])
        services.project_finish(project=project, by=staff, at=last)
    _date_notices(story, notices_from, last)
    story.stamps.add(project, story.at(start), "created_at")
    story.stamps.add(project, last, "updated_at")


def _move(story: Story, project, to_step: int, at: datetime, **extras) -> None:
    services.project_move(
        project=project, to_step=to_step, by=story.staff, at=at, **extras
    )
    story.moved[to_step] = at


def _date_notices(story: Story, after_pk: int, last: datetime) -> None:
    """Date the notices of one project's moves by their move (keys of projects.notices)."""
    notices = list(Notification.objects.filter(pk__gt=after_pk).only("pk", "key"))
    for notice in notices:
        parts = notice.key.split(":")
        if parts[2] == "step":
            at = story.moved.get(int(parts[3]), last)
        elif parts[2] == "vote-opened":
            at = story.moved.get(StepCode.VOTE, last)
        else:
            at = last
        notice.created_at = at
    Notification.objects.bulk_update(notices, ["created_at"], batch_size=250)


def _between(story: Story, first: date, last: date) -> date:
    """A day after `first` and before `last` (or `first` when they are adjacent)."""
    span = max((last - first).days - 1, 0)
    return first + timedelta(days=story.rng.randint(1, span) if span else 0)


def _consult(story: Story, project, first: date, last: date) -> None:
    """Neighbours talk it over (民主协商); staff answer some of them."""
    pool = COMMENTS_BY_TITLE.get(story.spec.title) or COMMENTS[story.spec.topic]
    speakers = story.some(2, 3, exclude=[project.proposer])
    days = sorted(_between(story, first, last) for _ in speakers)
    bodies = story.rng.sample(pool, len(speakers))
    for speaker, body, day in zip(speakers, bodies, days, strict=True):
        comment = services.comment_add(project=project, author=speaker, body=body)
        story.stamps.add(comment, story.at(day))
    if story.rng.random() < 0.5:
        reply = services.comment_add(
            project=project,
            author=story.staff,
            body=story.rng.choice(STAFF_REPLIES),
        )
        story.stamps.add(reply, story.at(max(days[-1], last - timedelta(days=1))))


def _votes(story: Story, project, opened: date, closes: date, exclude=()) -> None:
    """Most neighbours support; one may oppose, one may abstain."""
    others = story.some(2, 4, exclude=[project.proposer, *exclude])
    voters = [project.proposer, *others]
    for n, voter in enumerate(voters):
        choice = "support"
        if n == len(voters) - 1 and n >= 2 and story.rng.random() < 0.5:
            choice = "oppose"
        elif n == len(voters) - 2 and n >= 3 and story.rng.random() < 0.4:
            choice = "abstain"
        day = _between(story, opened, min(closes, timezone.localdate()) + timedelta(1))
        at = story.at(day)
        vote = services.vote_cast(project=project, voter=voter, choice=choice, at=at)
        story.stamps.add(vote, at, "created_at", "updated_at")


def _fund(story: Story, project, amount: int, first: date, last: date) -> None:
    """The partner's share, a few neighbours' gifts, and the cash collected."""
    parts: list[tuple[str, int, str]] = []
    rest = amount
    if story.spec.partner:
        share = max(100, amount * 2 // 5 // 100 * 100)
        parts.append((story.spec.partner, share, Contribution.Kind.ORGANISATION))
        rest -= share
    givers = story.some(1, 2)
    gifts = story.rng.sample(RESIDENT_GIFTS, len(givers))
    for giver, gift in zip(givers, gifts, strict=True):
        if gift >= rest:
            break
        parts.append((str(giver.profile), gift, Contribution.Kind.RESIDENT))
        rest -= gift
    if rest > 0:
        parts.append(("楼组居民现金募集", rest, Contribution.Kind.RESIDENT))
    for name, part, kind in parts:
        day = _between(story, first, last)
        contribution = services.contribution_record(
            project=project,
            by=story.staff,
            contributor=name,
            amount=Decimal(part),
            contributed_on=day,
            kind=kind,
        )
        story.stamps.add(contribution, story.at(day))


def _progress(story: Story, project, first: date, last: date) -> None:
    """Progress notes while the project is carried out (step 9), with photos
    for the projects that were completed."""
    notes = story.spec.progress
    finished = story.spec.final == StepCode.SHARE
    span = (last - first).days
    seed = sum(map(ord, story.spec.title)) * 10
    for n, body in enumerate(notes):
        day = first + timedelta(days=max(1, span * (n + 1) // (len(notes) + 1)))
        # Completed projects show their work; the last note of each, two photos.
        count = (2 if n == len(notes) - 1 else 1) if finished else 0
        photos = [
            picture(
                seed + n * 3 + k,
                story.spec.motif,
                story.spec.banner if k == 0 else "",
                name=f"progress-{n}-{k}",
            )
            for k in range(count)
        ]
        author = project.proposer if n % 2 else story.staff
        update = services.progress_post(
            project=project, by=author, body=body, photos=photos
        )
        at = story.at(day)
        story.stamps.add(update, at)
        for photo in ProjectPhoto.objects.filter(progress_update=update).only("pk"):
            story.stamps.add(photo, at)


def _evaluate(
    story: Story, project, beneficiaries: int, first: date, last: date
) -> None:
    """Staff record the beneficiaries; residents rate it, online and on paper."""
    services.evaluation_record(
        project=project, by=story.staff, beneficiaries=beneficiaries
    )
    online = [project.proposer, *story.some(1, 2, exclude=[project.proposer])]
    for resident in online:
        evaluation = services.evaluation_add(
            project=project,
            by=resident,
            stars=story.rng.choice((5, 5, 4)),
            comment=story.rng.choice(EVALUATIONS),
        )
        story.stamps.add(evaluation, story.at(_between(story, first, last)))
    for n in range(1, 3):
        evaluation = services.evaluation_enter_paper(
            project=project,
            by=story.staff,
            stars=story.rng.choice((5, 4, 4)),
            form_number=f"{project.pk:03d}-{n}",
            comment=story.rng.choice(PAPER_EVALUATIONS),
        )
        story.stamps.add(evaluation, story.at(last))


# --- this year's projects ------------------------------------------------------------

# How many days ago each of this year's projects was submitted (PROJECTS_NOW's order).
SUBMITTED_DAYS_AGO = [30, 16, 9, 3, 75, 80]


def _tell_now(story: Story, today: date, n: int, topics, groups) -> None:
    spec, staff = story.spec, story.staff
    submitted = today - timedelta(days=SUBMITTED_DAYS_AGO[n])
    amount = 1360 if spec.final >= StepCode.CROWDFUND else 0
    notices_from = _last_notice()
    # The goal residents are asked for: part of the budget, set in the proposal.
    goal = 3000 if amount else spec.budget * 3 // 20 // 100 * 100
    project = _propose(story, topics, groups, submitted, Decimal(goal))
    # Days before each move; the vote still open today opened four days ago.
    gaps = {
        StepCode.ACCEPT: 4,
        StepCode.CONSULT: 5,
        StepCode.VOTE: 13 if spec.final > StepCode.VOTE else SUBMITTED_DAYS_AGO[n] - 13,
        StepCode.ANNOUNCE: VOTE_DAYS + 2,
        StepCode.CROWDFUND: 3,
        StepCode.CARRY_OUT: 12,
    }
    day = submitted
    while project.step < spec.final:
        step = project.step
        following = day + timedelta(days=gaps[step + 1])
        if step == StepCode.CONSULT:
            _consult(story, project, day, following)
        if step == StepCode.VOTE:
            _votes(story, project, day, project.vote_closes_on)
        if step == StepCode.CROWDFUND:
            _fund(story, project, amount, day, following)
        extras = {}
        if step == StepCode.CONSULT:
            open_days = 14 if spec.final == StepCode.VOTE else VOTE_DAYS
            extras["vote_closes_on"] = following + timedelta(days=open_days)
        _move(story, project, step + 1, story.at(following), **extras)
        day = following
    if spec.final == StepCode.CONSULT:
        _consult(story, project, day, today)
    if spec.final == StepCode.VOTE:
        # Neighbours have voted; the demo logins of 华业 have not yet.
        logins = [
            demo_user("resident@nanxi.example"),
            demo_user("neighbour@nanxi.example"),
        ]
        _votes(story, project, day, today - timedelta(days=1), exclude=logins)
    if spec.final == StepCode.CROWDFUND:
        _fund(story, project, amount, day, today - timedelta(days=5))
        services.project_set_payment(
            project=project,
            by=staff,
            transfer_reference=f"{story.area.name}居委会账户，附言“{spec.title}”",
        )
        # Two neighbours' pledges wait for the committee to see the money come.
        for k, pledger in enumerate(story.some(2, 2)):
            pledge = services.pledge_make(
                project=project, by=pledger, amount=Decimal((200, 100)[k])
            )
            story.stamps.add(pledge, story.at(today - timedelta(days=k + 1)))
    if spec.title in STOPPED_NOW:
        day = min(day + timedelta(days=5), today - timedelta(days=9))
        _stop(story, project, STOPPED_NOW[spec.title], day)
    last = story.at(min(day, today))
    _date_notices(story, notices_from, last)
    story.stamps.add(project, story.at(submitted), "created_at")
    story.stamps.add(project, last, "updated_at")


def _stop(story: Story, project, reason: str, day: date) -> None:
    """终止: a neighbour's pledge lapses; the money is refunded on the day, except one
    resident's gift, moved with their consent to a project of the area that is
    still crowdfunding (when there is one)."""
    pledger = story.some(1, 1, exclude=[project.proposer])[0]
    pledge = services.pledge_make(project=project, by=pledger, amount=Decimal(100))
    story.stamps.add(pledge, story.at(day - timedelta(days=2)), "created_at")
    target = (
        Project.objects.filter(
            area=project.area, outcome=Project.Outcome.OPEN, step=StepCode.CROWDFUND
        )
        .order_by("pk")
        .first()
    )
    money = list(project.contributions.order_by("pk"))
    dispositions = {c.pk: services.Refund(on=day) for c in money}
    gifts = [
        c
        for c in money
        if c.kind == Contribution.Kind.RESIDENT and c.contributor != "楼组居民现金募集"
    ]
    if target is not None and gifts:
        dispositions[gifts[0].pk] = services.MoveTo(
            project=target, consent="本人到居委会签字，同意转入", consent_on=day
        )
    services.project_stop(
        project=project,
        by=story.staff,
        reason=reason,
        dispositions=dispositions,
        at=story.at(day),
    )
    story.stamps.add(pledge, story.at(day), "decided_at")


# --- people, needs --------------------------------------------------------------------


def _neighbours(area: ResidentialArea) -> list:
    """The area's verified demo residents (not logins), verified before 2020."""
    logins = []
    if area.slug == "huaye":
        logins = [
            demo_user("resident@nanxi.example"),
            demo_user("neighbour@nanxi.example"),
        ]
    User = get_user_model()
    resident_group = Group.objects.get(name=roles.RESIDENT)
    people = []
    for n, name in enumerate(NEIGHBOURS[area.slug], start=1):
        email = f"{area.slug}.{n:02d}@nanxi.example"
        user = User.objects.filter(email=email).select_related("profile").first()
        if user is None:
            # No password: a demo neighbour, not a login.
            user = User.objects.create_user(
                username=f"{area.slug}-{n:02d}", email=email
            )
            EmailAddress.objects.create(
                user=user, email=email, verified=True, primary=True
            )
            user.groups.add(resident_group)
            Profile.objects.create(
                user=user,
                area=area,
                display_name=name,
                verified_at=_when(date(2019, 9, 2) + timedelta(days=n * 11)),
            )
        people.append(user)
    return logins + people


def _staff_for(slug: str, street):
    accounts = {
        "huaye": "huaye.staff@nanxi.example",
        "weihai": "weihai.staff@nanxi.example",
    }
    return demo_user(accounts[slug]) if slug in accounts else street


NEEDS = [
    # title, area slug, text, the author and the neighbours who need it too
    (
        "楼道扶手",
        "huaye",
        "老房子楼梯陡，老人上下楼需要扶手，三楼到四楼那段最难走。",
        (4, 2, 6),
    ),
    (
        "快递柜",
        "huaye",
        "白天家里没人，快递经常放在门口丢失，能不能在弄堂口装个快递柜？",
        (5, 1),
    ),
    (
        "宠物便便袋投放点",
        "weihai",
        "小区里遛狗的人多，希望有地方取便便袋。",
        (3, 0),
    ),
    ("加装休息座椅", "weihai", "小区里散步的老人多，路边没有地方坐下歇一歇。", (6,)),
]


def _needs(areas, neighbours) -> None:
    """Needs on the board (/needs/), most with neighbours who need them too."""
    for title, slug, body, (author, *supporters) in NEEDS:
        area, people = areas[slug], neighbours[slug]
        need = Need.objects.filter(title=title).first() or services.need_post(
            by=people[author], title=title, body=body, area=area
        )
        for who in supporters:
            if not NeedSupport.objects.filter(need=need, user=people[who]).exists():
                services.need_support(need=need, by=people[who])
