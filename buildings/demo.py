"""The 2020 star-rated building groups of the newsletter, rated through the service.

107 star-rated groups in 2020, of which 3 newly three-star and 5 upgraded to four
stars (compared with their 2019 ratings), 66 applying for the district's title;
the newsletter's three featured cases with their stories.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from buildings import services
from buildings.models import BuildingGroup, DistrictApplication, Rating, RatingStandard
from nanxi.demo import demo_user
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
        "color": (196, 62, 92),
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
        "color": (46, 110, 160),
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
        "color": (60, 130, 70),
    },
]

STREETS = {
    "huaye": ["南京西路", "石门一路"],
    "weihai": ["威海路", "陕西北路"],
    "chonghua": ["延安中路", "茂名北路"],
    "xinfukangli": ["新闸路", "升平街"],
    "jingan-bieshu": ["南京西路", "泰兴路"],
    "lianhua": ["北京西路", "江宁路"],
}

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


def _photo(color, label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (960, 640), color)
    draw = ImageDraw.Draw(image)
    for i in range(0, 960, 48):
        draw.ellipse((i, 420 + (i % 96), i + 80, 500 + (i % 96)), fill=(250, 235, 240))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), "image/jpeg")


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
                "address": case["name"],
                "households": 36,
                "leader": "楼组长",
            },
        )
        if created:
            services.group_add_photo(
                group=group,
                upload=_photo(case["color"], "photo"),
                caption=case["feature"],
                by=street,
            )
        groups.append(group)
    slugs = list(STREETS)
    n = 0
    while len(groups) < sum(count for _, count in PATHS):
        slug = slugs[n % len(slugs)]
        street_name = STREETS[slug][(n // len(slugs)) % 2]
        name = f"{street_name}{100 + n * 7}弄"
        group, _ = BuildingGroup.objects.get_or_create(
            area=areas[slug],
            name=name,
            defaults={"address": name, "households": 20 + n % 40, "feature": ""},
        )
        groups.append(group)
        n += 1
    return groups
