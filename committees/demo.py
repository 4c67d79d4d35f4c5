"""The newsletter's owners' committees, built through the services.

2020: exactly 3 re-elections filed (换届改选) and 19 committees passing the
district's standardisation assessment, 5 failing it with weak items to coach.
Today: most committees in office, one whose term ends within 180 days, one whose
term has expired (its re-election overdue: no first meeting, not filed), and
three forming (one preparing, one voting, one waiting out its publicity period).
Every election replays its history (`at=`) within the rules: five seats, one
chair, 15 days' notice or more, filed within 30 days of the result.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from committees import services
from committees.models import (
    AssessmentStandard,
    Election,
    OwnersCommittee,
    Role,
    Step,
)
from nanxi.demo import demo_user
from nanxi.models import Estate, ResidentialArea

# Sample estates of each area: name, the street (or named estate) whose building
# groups belong to it, and its address. The newsletter's groups land in theirs:
# 花园公寓 in 花园公寓, 升平街65号 in 升平街小区, 陕西北路30弄 in 陕西北路小区.
ESTATES = {
    "huaye": [
        ("华业大楼", "陕西北路", "陕西北路175号"),
        ("奉贤路小区", "奉贤路", "奉贤路168弄"),
        ("北京西路公寓", "北京西路", "北京西路1094号"),
        ("安乐坊", "陕西北路", "陕西北路247弄"),
        ("华业新村", "奉贤路", "奉贤路250弄"),
    ],
    "weihai": [
        ("威海别墅", "威海路", "威海路696弄"),
        ("陕西北路小区", "陕西北路", "陕西北路30弄"),
        ("茂名公寓", "茂名北路", "茂名北路230号"),
        ("大中里", "威海路", "威海路590弄"),
        ("威海公寓", "威海路", "威海路755号"),
    ],
    "chonghua": [
        ("重华新村", "重华新村", "南京西路1081弄"),
        ("花园公寓", "茂名北路", "茂名北路68弄"),
        ("延安中路公寓", "延安中路", "延安中路873号"),
        ("茂名北路小区", "茂名北路", "茂名北路120弄"),
        ("延安中路小区", "延安中路", "延安中路955弄"),
    ],
    "xinfukangli": [
        ("新福康里", "新闸路", "新闸路1124弄"),
        ("升平街小区", "升平街", "升平街65号"),
        ("石门二路公寓", "石门二路", "石门二路186号"),
        ("康乐苑", "新闸路", "新闸路960弄"),
        ("福康大楼", "石门二路", "石门二路258号"),
    ],
    "jingan-bieshu": [
        ("静安别墅", "静安别墅", "南京西路1025弄"),
        ("泰兴路公寓", "泰兴路", "泰兴路320号"),
        ("吴江路小区", "吴江路", "吴江路169弄"),
        ("张家宅", "泰兴路", "泰兴路245弄"),
        ("吴江公寓", "吴江路", "吴江路278号"),
    ],
    "lianhua": [
        ("联华公寓", "石门一路", "石门一路336号"),
        ("凤阳路小区", "凤阳路", "凤阳路688弄"),
        ("北京西路小区", "北京西路", "北京西路905弄"),
        ("联华新村", "凤阳路", "凤阳路745弄"),
        ("石门一路小区", "石门一路", "石门一路251弄"),
    ],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "美华", "国平", "丽娟", "德明", "凤英", "文杰", "海燕"]

RE_ELECTED_2020 = [
    datetime.date(2020, 6, 15),
    datetime.date(2020, 9, 20),
    datetime.date(2020, 11, 28),
]
PASSED_2020 = 19
FAILED_2020 = 5
# The items the failing committees were weak on (below half their points).
WEAK = [
    ["档案管理", "财务公开"],
    ["维修资金使用", "档案管理", "信息公开"],
    ["按时换届", "档案管理"],
    ["财务公开", "维修资金使用"],
    ["业主大会召开", "档案管理"],
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def _people(n: int) -> list[tuple[str, str, str]]:
    """Five people: one chair, one vice-chair, three members (a term's members)."""
    roles = [Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER, Role.MEMBER, Role.MEMBER]
    return [
        (_name(n * 5 + i), role, f"1391621{(n * 5 + i) % 10000:04d}")
        for i, role in enumerate(roles)
    ]


def _candidates(election, n: int, by) -> None:
    """Five candidates for five seats: they stand for membership, not a role."""
    for name, _role, phone in _people(n):
        services.candidate_add(election=election, by=by, name=name, phone=phone)


def _announce(election, day: datetime.date, by, notice: int = 20) -> None:
    """候选人公示: five seats, the assembly `notice` days later (≥ 15, art. 14)."""
    services.election_announce(
        election=election,
        by=by,
        seats=5,
        assembly_on=day + datetime.timedelta(notice),
        at=_at(day),
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _elect(committee, kind, filed: datetime.date, n: int, by) -> Election:
    """A whole election, 成立筹备组 to 备案, lawful and passing art. 278: announced
    20 days before the assembly, the result announced 5 days after it, the first
    meeting 2 days later, filed 20 days after the result."""
    election = services.election_start(
        committee=committee, kind=kind, by=by, at=_at(filed - datetime.timedelta(60))
    )
    _candidates(election, n, by)
    _announce(election, filed - datetime.timedelta(45), by)
    _move(election, Step.VOTE, filed - datetime.timedelta(25), by)
    _vote(election, committee.estate)
    _move(election, Step.RESULTS, filed - datetime.timedelta(20), by)
    _first_meeting(election, filed - datetime.timedelta(18), by)
    _move(election, Step.FILED, filed, by)
    return election


def _first_meeting(election, day: datetime.date, by) -> None:
    """首次会议: the most approved is chair, the next vice-chair."""
    first, second, *_rest = election.elected_candidates()
    services.election_first_meeting(
        election=election,
        by=by,
        held_on=day,
        chair=first,
        vice_chairs=[second],
        at=_at(day),
    )


def _move(election, step, day, by) -> None:
    services.election_move(election=election, to_step=step, by=by, at=_at(day))


def _vote(election, estate) -> None:
    owners = estate.households * 3 // 4
    area = (estate.floor_area * Decimal("0.74")).quantize(Decimal("0.01"))
    services.election_record_vote(
        election=election,
        by=election.started_by,
        participating_owners=owners,
        participating_area=area,
        voted_on=election.assembly_on,
        approvals={
            c.pk: (
                owners * (70 - i) // 100,
                (area * (70 - i) / 100).quantize(Decimal("0.01")),
            )
            for i, c in enumerate(election.candidates.all())
        },
    )


def _scores(standard, weak_titles=(), seed: int = 0) -> dict[int, int]:
    scores = {}
    for position, item in enumerate(standard.items.all()):
        if item.title in weak_titles:
            scores[item.pk] = (item.max_points - 1) // 2  # below half
        elif weak_titles:
            scores[item.pk] = item.max_points - 2
        else:
            scores[item.pk] = item.max_points - ((position + seed) % 4 == 0)
    return scores


@transaction.atomic
def load(out) -> None:
    if OwnersCommittee.objects.exists():
        out.write(
            f"  owners' committees: {OwnersCommittee.objects.count()} (already loaded)"
        )
        return
    street = demo_user("street@nanxi.example")
    today = timezone.localdate()
    areas = {a.slug: a for a in ResidentialArea.objects.all()}
    estates = _estates(areas)
    committees = [services.committee_create(estate=e, by=street) for e in estates]
    standard = AssessmentStandard.objects.get(active=True)

    for n, committee in enumerate(committees):
        if n < len(RE_ELECTED_2020):
            # 换届改选 in 2020, after a term elected in 2015; again in 2025.
            filed = RE_ELECTED_2020[n]
            services.term_record(
                committee=committee,
                start=_years_before(filed, 5) - datetime.timedelta(30),
                end=filed - datetime.timedelta(15),
                members=_people(100 + n),
                by=street,
            )
            _elect(committee, Election.Kind.RE_ELECTION, filed, n, street)
            _elect(
                committee,
                Election.Kind.RE_ELECTION,
                _years_before(filed, -5) - datetime.timedelta(5),
                200 + n,
                street,
            )
        elif n < 27:
            if n == 3:
                start = _years_before(today, 5) + datetime.timedelta(90)  # ends soon
            elif n == 26:
                start = _years_before(today, 5) - datetime.timedelta(120)  # expired
            else:
                start = today - datetime.timedelta(200 + (n * 53) % 1400)
            services.term_record(
                committee=committee,
                start=_years_before(start, 5),
                end=start - datetime.timedelta(1),
                members=_people(300 + n),
                by=street,
            )
            services.term_record(
                committee=committee, start=start, members=_people(400 + n), by=street
            )
            if n == 26:
                # The expired term's re-election: result announced 45 days ago,
                # no first meeting, not filed: overdue on the staff's work list.
                election = services.election_start(
                    committee=committee,
                    kind=Election.Kind.RE_ELECTION,
                    by=street,
                    at=_at(today - datetime.timedelta(90)),
                )
                _candidates(election, 600, street)
                _announce(election, today - datetime.timedelta(80), street)
                _move(election, Step.VOTE, today - datetime.timedelta(60), street)
                _vote(election, committee.estate)
                _move(election, Step.RESULTS, today - datetime.timedelta(45), street)
        elif n == 27:
            election = services.election_start(
                committee=committee,
                kind=Election.Kind.FORMATION,
                by=street,
                at=_at(today - datetime.timedelta(40)),
            )
            _candidates(election, 500, street)
            _announce(election, today - datetime.timedelta(20), street, notice=15)
            _move(election, Step.VOTE, today - datetime.timedelta(5), street)
        elif n == 28:
            services.election_start(
                committee=committee,
                kind=Election.Kind.FORMATION,
                by=street,
                at=_at(today - datetime.timedelta(10)),
            )
        elif n == 29:
            # Waiting out its publicity period: announced 3 days ago, the owners
            # can vote from the assembly's day, 15 days on (shown on its page).
            election = services.election_start(
                committee=committee,
                kind=Election.Kind.FORMATION,
                by=street,
                at=_at(today - datetime.timedelta(12)),
            )
            _candidates(election, 700, street)
            _announce(election, today - datetime.timedelta(3), street, notice=18)

    # The district's 2020 assessment: 19 passed, 5 failed with weak items.
    for n, committee in enumerate(committees[:PASSED_2020]):
        services.assessment_save(
            committee=committee,
            standard=standard,
            year=2020,
            scores=_scores(standard, seed=n),
            by=street,
        )
    failing = committees[PASSED_2020 : PASSED_2020 + FAILED_2020]
    for committee, weak in zip(failing, WEAK, strict=True):
        services.assessment_save(
            committee=committee,
            standard=standard,
            year=2020,
            scores=_scores(standard, weak),
            by=street,
        )
    out.write(
        f"  estates: {len(estates)}, owners' committees: {len(committees)}, "
        f"elections: {Election.objects.count()}"
    )


def _estates(areas) -> list[Estate]:
    estates = []
    n = 0
    for slug, rows in ESTATES.items():
        for name, _street, address in rows:
            estate = Estate(
                name=name,
                area=areas[slug],
                address=f"静安区{address}",
                households=120 + (n * 37) % 480,
                floor_area=Decimal(9000 + (n * 1931) % 36000) + Decimal("0.50"),
            )
            estate.full_clean()
            estate.save()
            estates.append(estate)
            n += 1
    _attach_building_groups(estates)
    return estates


def _attach_building_groups(estates: list[Estate]) -> None:
    """Each building group joins an estate of its area: the one of its own name,
    else one on its street (in turn), else any (in turn).

    The building-group model is reached through the relation: no app import here.
    """
    groups = Estate._meta.get_field("building_groups").related_model.objects
    streets = {
        (slug, name): street
        for slug, rows in ESTATES.items()
        for name, street, _ in rows
    }
    by_area: dict[int, list[Estate]] = {}
    for estate in estates:
        by_area.setdefault(estate.area_id, []).append(estate)
    chosen: dict[int, list[int]] = {}
    turn = 0
    for group in (
        groups.filter(estate__isnull=True).select_related("area").order_by("pk")
    ):
        mine = by_area.get(group.area_id, [])
        if not mine:
            continue
        named = [e for e in mine if e.name == group.name]
        on_street = [
            e for e in mine if group.name.startswith(streets[(group.area.slug, e.name)])
        ]
        candidates = named or on_street or mine
        estate = candidates[turn % len(candidates)]
        turn += 1
        chosen.setdefault(estate.pk, []).append(group.pk)
    for estate_pk, pks in chosen.items():
        groups.filter(pk__in=pks).update(estate_id=estate_pk)
