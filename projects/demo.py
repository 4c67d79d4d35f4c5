"""The 2020 autonomy projects of the newsletter, built through the workflow services.

33 projects announced (立项公示) in 2020 — 13 活动策划, 9 团队建设, 11 门口实事 —
whose evaluations add up to 14000 beneficiaries and whose contributions add up to
18500.00 yuan, a few of them with their case summary in the project showcase; plus
a few 2021 projects still in deliberation (one with its vote open), needs on the
board with their supporters, and one draft.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from nanxi import roles
from nanxi.demo import demo_user
from nanxi.models import Notification, Profile, ResidentialArea
from projects import services
from projects.models import Need, NeedSupport, Project, StepCode, Topic

SHANGHAI = ZoneInfo("Asia/Shanghai")
BENEFICIARIES_2020 = 14000
CROWDFUNDING_2020 = Decimal("18500.00")

E, T, D = Project.Category.EVENT, Project.Category.TEAM, Project.Category.DOORSTEP

# title, category, residential area slug, topic, final step (12 = completed)
PROJECTS_2020 = [
    ("抗疫说唱作品创作", E, "huaye", "疫情防控", 12),
    ("“笔歌中华”书画班抗疫作品展", E, "weihai", "疫情防控", 12),
    ("墨香书画沙龙宣传小视频", E, "chonghua", "疫情防控", 12),
    ("垃圾分类宣传周", E, "xinfukangli", "垃圾分类", 12),
    ("文明养宠宣传日", E, "jingan-bieshu", "文明养宠", 12),
    ("重阳敬老邻里宴", E, "lianhua", "为老服务", 12),
    ("楼组亲子垃圾分类手工坊", E, "huaye", "垃圾分类", 12),
    ("有声读物录制分享会", E, "weihai", "文化活动", 12),
    ("小区变迁摄影展", E, "chonghua", "文化活动", 12),
    ("中秋邻里联欢会", E, "xinfukangli", "文化活动", 11),
    ("垃圾分类小小宣讲员", E, "jingan-bieshu", "垃圾分类", 12),
    ("社区读书会", E, "lianhua", "文化活动", 9),
    ("文明养宠公约签名活动", E, "huaye", "文明养宠", 12),
    ("护弄队", T, "huaye", "疫情防控", 12),
    ("自管小组", T, "weihai", "疫情防控", 12),
    ("志愿者服务队", T, "chonghua", "疫情防控", 12),
    ("说唱班", T, "xinfukangli", "文化活动", 12),
    ("书画班", T, "jingan-bieshu", "文化活动", 12),
    ("垃圾分类督导队", T, "lianhua", "垃圾分类", 12),
    ("文明养宠自治小组", T, "weihai", "文明养宠", 11),
    ("楼组骨干培训班", T, "chonghua", "楼道整治", 8),
    ("为老助餐志愿队", T, "huaye", "为老服务", 12),
    ("非机动车停放管理", D, "weihai", "非机动车管理", 12),
    ("华业居民区流浪猫治理", D, "huaye", "流浪猫治理", 12),
    ("楼道整治", D, "chonghua", "楼道整治", 12),
    ("升平街65号月季苑", D, "xinfukangli", "楼道整治", 12),
    ("楼道感应灯安装", D, "jingan-bieshu", "楼道整治", 12),
    ("垃圾箱房改造", D, "lianhua", "垃圾分类", 11),
    ("电动自行车集中充电", D, "huaye", "非机动车管理", 9),
    ("楼道堆物清理", D, "weihai", "楼道整治", 12),
    ("公共晾衣架安装", D, "chonghua", "楼道整治", 8),
    ("小区绿化认养", D, "xinfukangli", "楼道整治", 9),
    ("信报箱更新", D, "jingan-bieshu", "楼道整治", 8),
]

# Step 12 (总结推广): the case summaries staff wrote before completing these projects.
CASE_SUMMARIES = {
    "华业居民区流浪猫治理": (
        "居民提出流浪猫扰民、卫生差的问题后，居委会召集爱猫居民、楼组长和物业协商，"
        "确定“绝育、定点喂养、领养”三条办法。居民众筹绝育费用，志愿者轮班定点喂养，"
        "半年内小区流浪猫数量稳定，投诉明显减少。\n"
        "经验：让有不同意见的居民坐到一张桌子前，先定规则再动手。"
    ),
    "升平街65号月季苑": (
        "弄堂里原来堆满杂物。居民表决通过后，大家一起清理堆物，共建单位捐赠花苗，"
        "居民认养花箱、轮流养护，弄堂变成了月季苑。\n"
        "经验：“认养”让每户人家都成为主人，建成之后也有人长期照料。"
    ),
    "护弄队": (
        "疫情期间，居民自发组成护弄队，协助居委会在弄堂口测温登记、为独居老人代购。"
        "队员排班表在楼组微信群公开，居民评议满意度高。\n"
        "经验：志愿服务有固定班次和联系人，才能长期坚持；疫情之后护弄队转为日常巡查。"
    ),
}

# 2021 projects still in deliberation: title, category, area, topic, step now.
PROJECTS_2021 = [
    ("楼道自行车棚改造", D, "huaye", "非机动车管理", StepCode.VOTE),
    ("宠物便便箱设置", D, "weihai", "文明养宠", StepCode.CONSULT),
    ("老年智能手机课堂", E, "chonghua", "为老服务", StepCode.ACCEPT),
    ("垃圾分类积分兑换", E, "huaye", "垃圾分类", StepCode.SUBMIT),
]


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, exactly (the last takes the rest)."""
    scale = sum(weights)
    parts = [total * w // scale for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _when(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@transaction.atomic
def load(out) -> None:
    loading = timezone.now()
    street = demo_user("street@nanxi.example")
    areas = {a.slug: a for a in ResidentialArea.objects.all()}
    topics = {t.name: t for t in Topic.objects.all()}
    existing = set(Project.objects.values_list("title", flat=True))

    evaluated = [p for p in PROJECTS_2020 if p[4] >= StepCode.EVALUATE]
    beneficiaries = dict(
        zip(
            [p[0] for p in evaluated],
            _shares(
                BENEFICIARIES_2020, [3 + (i * 7) % 11 for i in range(len(evaluated))]
            ),
            strict=True,
        )
    )
    funded = [p for p in PROJECTS_2020 if p[4] >= StepCode.CROWDFUND]
    yuan = _shares(
        int(CROWDFUNDING_2020), [2 + (i * 5) % 9 for i in range(len(funded))]
    )
    contributions = {p[0]: Decimal(y) for p, y in zip(funded, yuan, strict=True)}

    for n, (title, category, slug, topic, final) in enumerate(PROJECTS_2020):
        if title in existing:
            continue
        start = date(2020, 1, 6) + timedelta(days=9 * n)
        project = _propose(title, category, areas[slug], topics[topic], start)
        _drive(
            project,
            final,
            staff=_staff_for(slug, street),
            day=start,
            beneficiaries=beneficiaries.get(title),
            contribution=contributions.get(title),
        )
    # What happened in 2020 is history, not news: its notices are read, never mailed.
    Notification.objects.filter(created_at__gte=loading).update(
        read_at=timezone.now(), emailed_at=timezone.now()
    )
    for n, (title, category, slug, topic, step) in enumerate(PROJECTS_2021):
        if title in existing:
            continue
        start = date(2021, 3, 1) + timedelta(days=5 * n)
        project = _propose(title, category, areas[slug], topics[topic], start)
        _drive(project, step, staff=_staff_for(slug, street), day=start)
    if "楼道绿植角" not in existing:
        services.project_create(
            by=demo_user("resident@nanxi.example"),
            title="楼道绿植角",
            summary="在一楼楼道口放几盆绿植，大家轮流浇水。",
            description="草稿：还要和楼组长商量放在哪里。",
            category=D,
            area=areas["huaye"],
            topics=[topics["楼道整治"]],
        )
    _needs(areas, street)
    counted = Project.objects.in_year(2020).count()
    out.write(f"  projects: {Project.objects.count()} ({counted} announced in 2020)")


NEEDS = [
    # title, area slug, text, the area's neighbours who say "I need it too"
    (
        "楼道扶手",
        "huaye",
        "老房子楼梯陡，老人上下楼需要扶手，三楼最难走。",
        ("neighbour", "elder"),
    ),
    ("快递柜", "huaye", "白天家里没人，快递经常放在门口丢失。", ("neighbour",)),
    (
        "宠物便便袋投放点",
        "weihai",
        "小区里遛狗的人多，希望有地方取便便袋。",
        ("neighbour",),
    ),
    ("加装休息座椅", "weihai", "小区里散步的老人多，路边没有地方坐下歇一歇。", ()),
]


def _needs(areas, street) -> None:
    """Needs on the board (/needs/), most with neighbours who need them too."""
    for title, slug, body, supporters in NEEDS:
        area = areas[slug]
        need = Need.objects.filter(title=title).first() or services.need_post(
            by=_resident(area), title=title, body=body, area=area
        )
        for who in supporters:
            neighbour = _resident(area, who)
            if not NeedSupport.objects.filter(need=need, user=neighbour).exists():
                services.need_support(need=need, by=neighbour)


def _resident(area: ResidentialArea, who: str = "resident"):
    """A verified demo resident of an area (Wang Ayi is 华业's resident)."""
    if area.slug == "huaye" and who == "resident":
        return demo_user("resident@nanxi.example")
    User = get_user_model()
    email = f"{area.slug}.{who}@nanxi.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(username=f"{area.slug}-{who}", email=email)
        user.set_unusable_password()  # a demo author, not a login
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        user.groups.add(Group.objects.get(name=roles.RESIDENT))
        Profile.objects.create(
            user=user,
            area=area,
            display_name={
                "resident": f"{area.name}居民",
                "elder": f"{area.name}老邻居",
            }.get(who, f"{area.name}邻居"),
            verified_at=timezone.now(),
        )
    return user


def _staff_for(slug: str, street):
    accounts = {
        "huaye": "huaye.staff@nanxi.example",
        "weihai": "weihai.staff@nanxi.example",
    }
    return demo_user(accounts[slug]) if slug in accounts else street


def _propose(title, category, area, topic, start: date) -> Project:
    return services.project_create(
        by=_resident(area),
        title=title,
        summary=f"{area.name}居民区：{title}。",
        description=(
            f"{title}由{area.name}居民区的居民提出，经民主协商和居民表决后实施，"
            "以“四阶十二步”金钥匙工作法推进。"
        ),
        category=category,
        area=area,
        topics=[topic],
        budget_requested=Decimal("2000.00"),
        crowdfunding_goal=Decimal("1000.00"),
        submit=True,
        at=_when(start),
    )


def _drive(
    project, final, *, staff, day, beneficiaries=None, contribution=None
) -> None:
    """Move a project to step `final` (12 = completed), a week a step, as staff would."""
    while project.step < min(final, StepCode.SHARE):
        day += timedelta(days=7)
        if project.step == StepCode.CONSULT:
            services.comment_add(
                project=project,
                author=project.proposer,
                body="大家有什么想法都可以说一说。",
            )
        if project.step == StepCode.VOTE:
            services.vote_cast(
                project=project,
                voter=project.proposer,
                choice="support",
                at=_when(day - timedelta(days=3)),
            )
        if project.step == StepCode.CROWDFUND and contribution:
            _fund(project, staff, contribution, day)
        if project.step == StepCode.EVALUATE and beneficiaries:
            _evaluate(project, staff, beneficiaries)
        extras = {}
        if project.step == StepCode.CONSULT:
            # A vote still open today closes in two weeks; older ones closed in days.
            extras["vote_closes_on"] = (
                timezone.localdate() + timedelta(days=14)
                if final == StepCode.VOTE
                else day + timedelta(days=5)
            )
        services.project_move(
            project=project, to_step=project.step + 1, by=staff, at=_when(day), **extras
        )
    if final == StepCode.VOTE:
        services.vote_cast(project=project, voter=project.proposer, choice="support")
    if final == StepCode.CROWDFUND and contribution:
        _fund(project, staff, contribution, day)
        # A resident's pledge waiting for the committee to confirm the money came.
        services.project_set_payment(
            project=project,
            by=staff,
            transfer_reference=f"{project.area.name}居委会账户，附言“{project.title}”",
        )
        services.pledge_make(
            project=project, by=project.proposer, amount=Decimal("100")
        )
    if final == StepCode.EVALUATE and beneficiaries:
        _evaluate(project, staff, beneficiaries)
    if final == StepCode.SHARE:
        if project.title in CASE_SUMMARIES:
            services.project_write_summary(
                project=project, by=staff, text=CASE_SUMMARIES[project.title]
            )
        services.project_finish(
            project=project, by=staff, at=_when(day + timedelta(days=7))
        )


def _fund(project, staff, amount: Decimal, day: date) -> None:
    services.contribution_record(
        project=project,
        by=staff,
        contributor="居民与共建单位",
        amount=amount,
        contributed_on=day,
    )


def _evaluate(project, staff, beneficiaries: int) -> None:
    """Staff record the beneficiaries; residents rate it, online and on paper."""
    services.evaluation_record(project=project, by=staff, beneficiaries=beneficiaries)
    services.evaluation_add(
        project=project,
        by=project.proposer,
        stars=5,
        comment="大家一起出力，效果很好。",
    )
    for n, stars in enumerate((5, 4 + project.pk % 2, 4), start=1):
        services.evaluation_enter_paper(
            project=project,
            by=staff,
            stars=stars,
            form_number=f"{project.pk:03d}-{n}",
            comment="纸质评议表" if n == 1 else "",
        )
