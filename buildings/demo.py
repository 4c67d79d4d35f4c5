"""The 2020 star-rated building groups of the newsletter, rated through the service.

107 star-rated groups in 2020, of which 3 newly three-star and 5 upgraded to four
stars (compared with their 2019 ratings), 66 applying for the district's title;
the newsletter's three featured cases with their stories.
"""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from buildings import services
from buildings.models import (
    BuildingGroup,
    DistrictApplication,
    Rating,
    RatingChange,
    RatingStandard,
)
from nanxi.demo import demo_user
from nanxi.demo_pictures import picture
from nanxi.models import ResidentialArea

FEATURED = [
    {
        "name": "升平街65号",
        "area": "xinfukangli",
        "feature": "月季苑",
        "story": (
            "升平街65号楼组结对共建国际集团，单位与楼组居民合力把垃圾堆放的公共空间"
            "变身为绿草茵茵、花香满园的“月季苑”，把楼组改造视频的二维码放到了墙上，"
            "加强了交流与互动。"
        ),
        "video_url": "https://nanxi.example/videos/shengpingjie-65",
        "households": 42,
        "leader": "沈阿姨",
        "photos": [("flowers", "月季苑"), ("people", "")],
    },
    {
        "name": "陕西北路30弄",
        "area": "weihai",
        "feature": "有声阅读楼组",
        "story": (
            "威海居民区的陕西北路30弄，从优化公共环境到关注人文底蕴，鼓励居民参与"
            "有声读物创作，打造可以聆听的有声阅读楼组。"
        ),
        "video_url": "",
        "households": 28,
        "leader": "顾老师",
        "photos": [("books", "可以聆听的楼组"), ("people", "")],
    },
    {
        "name": "花园公寓",
        "area": "chonghua",
        "feature": "社区展览馆",
        "story": (
            "重华居民区的花园公寓楼组就像社区“展览馆”，将小区变迁、名人故事、读书书画"
            "团队作品等展示在楼组中，保留了文化底蕴又彰显时代特色。"
        ),
        "video_url": "",
        "households": 64,
        "leader": "陆老伯",
        "photos": [("people", "社区展览馆"), ("books", "")],
    },
]

# Sample building groups of each area: real streets of 南京西路街道, lane (弄) and
# house (号) numbers in plausible ranges, and the named estates whose houses are
# numbered (静安别墅12号). The names are sample data, not the street's register.
STREETS = {
    "huaye": [("陕西北路", 101, 299), ("奉贤路", 101, 299), ("北京西路", 1001, 1199)],
    "weihai": [("威海路", 501, 799), ("陕西北路", 10, 98), ("茂名北路", 201, 299)],
    "chonghua": [("茂名北路", 1, 199), ("延安中路", 801, 999), ("重华新村", 1, 60)],
    "xinfukangli": [("新闸路", 901, 1199), ("升平街", 1, 99), ("石门二路", 101, 299)],
    "jingan-bieshu": [("静安别墅", 1, 180), ("泰兴路", 201, 399), ("吴江路", 101, 299)],
    "lianhua": [("石门一路", 201, 399), ("凤阳路", 601, 799), ("北京西路", 801, 999)],
}
NAMED_ESTATES = {"重华新村", "静安别墅"}
SURNAMES = "沈顾陆钱王张周徐朱吴孙金蒋严范许方施秦丁"
LEADER_TITLES = ["阿姨", "老师", "师傅", "阿婆", "老伯", "先生", "女士"]
# 一楼一特色: the themes groups chose for themselves (sample data).
FEATURES = [
    ("绿植楼道", "flowers"),
    ("睦邻议事角", "people"),
    ("书香楼组", "books"),
    ("老物件展示墙", "people"),
    ("共享工具箱", "people"),
    ("楼道文化长廊", "books"),
    ("垃圾分类示范楼组", "bins"),
    ("亲子阅读角", "books"),
    ("文明养宠楼组", "cats"),
    ("车辆有序停放", "bicycles"),
    ("楼道微花园", "flowers"),
    ("暖心助老楼组", "people"),
]

# 2019 stars → 2020 stars, and how many groups had that path.
PATHS = (
    [((2, 3), 3), ((3, 4), 5)]  # the newsletter's 3 newly three-star and 5 upgraded
    + [
        ((1, 1), 10),
        ((2, 2), 25),
        ((3, 3), 34),
        ((4, 4), 22),
        ((5, 5), 8),
    ]  # 99 unchanged
    + [((0, 0), 4)]  # rated, but below one star
)
TOTAL_BASE = {0: 50, 1: 62, 2: 72, 3: 82, 4: 89, 5: 95}
DISTRICT_APPLICATIONS_2020 = 66


def _total(stars: int, n: int) -> int:
    return TOTAL_BASE[stars] + n % 3


def _scores(standard: RatingStandard, total: int) -> dict[int, int]:
    """Spread `total` over the criteria in proportion to their maximum points."""
    criteria = list(standard.criteria.all())
    scale = sum(c.max_points for c in criteria)
    scores = {c.pk: c.max_points * total // scale for c in criteria}
    rest = total - sum(scores.values())
    for c in criteria:
        step = min(rest, c.max_points - scores[c.pk])
        scores[c.pk] += step
        rest -= step
    return scores


@transaction.atomic
def load(out) -> None:
    if Rating.objects.filter(year=2020).exists():
        out.write(
            f"  building groups: {BuildingGroup.objects.count()} (already loaded)"
        )
        return
    street = demo_user("street@nanxi.example")
    areas = {a.slug: a for a in ResidentialArea.objects.all()}
    standard_2020 = RatingStandard.objects.get(version="2020版")
    standard_2018 = RatingStandard.objects.filter(version="2018版").first()
    if standard_2018 is None:
        standard_2018 = services.standard_new_version(
            standard=standard_2020, version="2018版", by=street
        )
        standard_2018.version_en = "2018 edition"
        services.standard_save(standard=standard_2018, by=street)
    groups = _groups(areas, street)
    services.group_set_featured(
        groups=groups[: len(FEATURED)], featured=True, by=street
    )
    paths = [path for path, count in PATHS for _ in range(count)]
    # Featured cases are among the best: give them the unchanged five- and four-star paths.
    paths.sort(key=lambda p: (p[1] != 5, p[1] != 4))
    for n, (group, (stars_2019, stars_2020)) in enumerate(
        zip(groups, paths, strict=True)
    ):
        for year, standard, stars in (
            (2019, standard_2018, stars_2019),
            (2020, standard_2020, stars_2020),
        ):
            services.rating_save(
                group=group,
                standard=standard,
                year=year,
                scores=_scores(standard, _total(stars, n)),
                by=street,
            )
    applicants = [g for g, (_, stars) in zip(groups, paths, strict=True) if stars >= 3]
    DistrictApplication.objects.bulk_create(
        DistrictApplication(
            group=group,
            year=2020,
            status=DistrictApplication.Status.APPROVED
            if n % 3 == 0
            else DistrictApplication.Status.APPLIED,
        )
        for n, group in enumerate(applicants[:DISTRICT_APPLICATIONS_2020])
    )
    # The street rates in November; the service stamped today.
    for year in (2019, 2020):
        rated = datetime(year, 11, 20, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
        Rating.objects.filter(year=year).update(updated_at=rated)
        RatingChange.objects.filter(rating__year=year).update(changed_at=rated)
    out.write(f"  building groups: {len(groups)}, ratings: {Rating.objects.count()}")


def _groups(areas, street) -> list[BuildingGroup]:
    groups = []
    for case in FEATURED:
        group, created = BuildingGroup.objects.get_or_create(
            area=areas[case["area"]],
            name=case["name"],
            defaults={
                "feature": case["feature"],
                "story": case["story"],
                "video_url": case["video_url"],
                "address": f"静安区{case['name']}",
                "households": case["households"],
                "leader": case["leader"],
            },
        )
        if created:
            for n, (motif, banner) in enumerate(case["photos"]):
                services.group_add_photo(
                    group=group,
                    upload=picture(len(groups) * 10 + n, motif, banner),
                    caption=case["feature"] if n == 0 else case["name"],
                    by=street,
                )
        groups.append(group)
    rng = random.Random("南京西路街道楼组")  # noqa: S311 (sample data, seeded)
    taken = {case["name"] for case in FEATURED}
    slugs = list(STREETS)
    n = 0
    while len(groups) < sum(count for _, count in PATHS):
        slug = slugs[n % len(slugs)]
        name = _name(rng, slug, taken)
        taken.add(name)
        feature, motif = rng.choice(FEATURES) if rng.random() < 0.3 else ("", "")
        group, created = BuildingGroup.objects.get_or_create(
            area=areas[slug],
            name=name,
            defaults={
                "address": f"静安区{name}",
                "households": rng.randint(12, 86),
                "leader": rng.choice(SURNAMES) + rng.choice(LEADER_TITLES),
                "feature": feature,
            },
        )
        if created and feature and rng.random() < 0.25:
            services.group_add_photo(
                group=group,
                upload=picture(1000 + n, motif, feature),
                caption=feature,
                by=street,
            )
        groups.append(group)
        n += 1
    return groups


def _name(rng: random.Random, slug: str, taken: set[str]) -> str:
    """A new sample name: 威海路590弄, 茂名北路221号, 新闸路1025弄7号, 静安别墅12号."""
    while True:
        street, low, high = rng.choice(STREETS[slug])
        number = rng.randint(low, high)
        form = rng.random()
        if street in NAMED_ESTATES:
            name = f"{street}{number}号"
        elif form < 0.6:
            name = f"{street}{number}弄"
        elif form < 0.85:
            name = f"{street}{number}号"
        else:
            name = f"{street}{number}弄{rng.randint(1, 12)}号"
        if name not in taken:
            return name
