from django.db import migrations

# The portal's example of a district standardisation assessment (规范化建设评估) for
# owners' committees: ten items, 100 points, 80 to pass. It is labelled as the
# portal's example; street staff check it against the district's own text.
VERSION = "2020版（示例）"
PASS_MARK = 80
ITEMS = [
    ("制度建设", "业主大会议事规则、管理规约、业委会工作规则齐全并备案", 10),
    ("议事规则", "业委会会议按规则召开，有议题、表决和会议记录", 10),
    ("财务公开", "业委会经费、公共收益收支每半年公开一次", 12),
    ("档案管理", "会议记录、合同、票据、选举材料分类归档，专人保管", 8),
    ("维修资金使用", "专项维修资金使用经业主表决，程序合规、公示到位", 12),
    ("物业监督", "对物业服务企业履约情况定期评议，问题有整改跟踪", 10),
    ("按时换届", "任期届满前六个月启动换届改选，依法合规组改建", 10),
    ("业主大会召开", "每年至少召开一次业主大会，表决符合民法典第278条", 10),
    ("信息公开", "公告栏、社区云或公众号及时公开业委会信息", 10),
    ("矛盾调解", "配合居委会化解业主与物业、业主之间的矛盾纠纷", 8),
]


def create_standard(apps, schema_editor):
    AssessmentStandard = apps.get_model("committees", "AssessmentStandard")
    AssessmentItem = apps.get_model("committees", "AssessmentItem")
    standard, created = AssessmentStandard.objects.get_or_create(
        version=VERSION,
        defaults={"pass_mark": PASS_MARK, "active": True, "is_example": True},
    )
    if created:
        for position, (title, guidance, points) in enumerate(ITEMS, start=1):
            AssessmentItem.objects.create(
                standard=standard,
                title=title,
                guidance=guidance,
                max_points=points,
                position=position,
            )


class Migration(migrations.Migration):
    dependencies = [("committees", "0001_initial")]

    operations = [migrations.RunPython(create_standard, migrations.RunPython.noop)]
