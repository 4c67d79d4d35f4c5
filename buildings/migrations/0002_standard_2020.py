from django.db import migrations

# 南京西路街道星级美丽楼组标准 2020版: four dimensions, 100 points.
CRITERIA = [
    ("shared", "楼组长和骨干队伍健全，分工明确", 8),
    ("shared", "楼组公约制定并公示，居民知晓", 7),
    ("shared", "居民参与自治项目和志愿服务", 10),
    ("deliberation", "定期召开楼组议事会，有记录", 9),
    ("deliberation", "楼组事务公开，意见及时反馈", 8),
    ("deliberation", "参与居委会、业委会民主协商", 8),
    ("space", "楼道整洁无堆物，消防通道畅通", 8),
    ("space", "垃圾分类规范，源头分类到位", 7),
    ("space", "非机动车有序停放", 5),
    ("space", "公共空间绿化美化", 5),
    ("culture", "一楼一特色，特色鲜明", 8),
    ("culture", "邻里互助，守望相助", 7),
    ("culture", "文化活动与展示（有声读物、楼组展览等）", 6),
    ("culture", "文明养宠、文明行为倡导", 4),
]


def create_standard(apps, schema_editor):
    RatingStandard = apps.get_model("buildings", "RatingStandard")
    Criterion = apps.get_model("buildings", "Criterion")
    standard, created = RatingStandard.objects.get_or_create(
        version="2020版",
        defaults={
            "active": True,
            "one_star": 60,
            "two_stars": 70,
            "three_stars": 80,
            "four_stars": 88,
            "five_stars": 95,
        },
    )
    if created:
        for position, (dimension, title, points) in enumerate(CRITERIA, start=1):
            Criterion.objects.create(
                standard=standard,
                dimension=dimension,
                title=title,
                max_points=points,
                position=position,
            )


class Migration(migrations.Migration):
    dependencies = [("buildings", "0001_initial")]

    operations = [migrations.RunPython(create_standard, migrations.RunPython.noop)]
