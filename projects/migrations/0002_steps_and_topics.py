from django.db import migrations

# The newsletter's themes; staff add more in the admin.
TOPICS = [
    "非机动车管理",
    "文明养宠",
    "垃圾分类",
    "楼道整治",
    "流浪猫治理",
    "疫情防控",
    "文化活动",
    "为老服务",
]


def seed(apps, schema_editor):
    Step = apps.get_model("projects", "Step")
    Topic = apps.get_model("projects", "Topic")
    for code in range(1, 13):
        # A blank label shows the built-in, translated name until staff rename the step.
        Step.objects.get_or_create(code=code, defaults={"label": ""})
    for name in TOPICS:
        Topic.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
