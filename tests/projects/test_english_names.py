"""Topics and renamed steps speak the page's language, falling back sensibly."""

from django.core.cache import cache
from django.utils import translation

from projects.models import Step, StepCode, Topic
from projects.selectors import STEP_LABELS_CACHE_KEY, step_labels
from tests.projects.helpers import make_project


def _topic(name="垃圾分类", name_en="Waste sorting"):
    topic, _ = Topic.objects.update_or_create(name=name, defaults={"name_en": name_en})
    return topic


def test_english_pages_show_the_topics_english_name(client, area):
    project = make_project(area=area, topics=[_topic()])
    english = client.get(f"/en/projects/{project.pk}/").content.decode()
    chinese = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Waste sorting" in english and "垃圾分类" not in english
    assert "垃圾分类" in chinese and "Waste sorting" not in chinese
    listing = client.get("/en/projects/").content.decode()
    assert "Waste sorting" in listing


def test_a_topic_without_english_name_shows_its_chinese(client, area):
    project = make_project(area=area, topics=[_topic("流浪猫治理", "")])
    assert "流浪猫治理" in client.get(f"/en/projects/{project.pk}/").content.decode()


def test_a_renamed_step_shows_its_english_twin_or_the_built_in_english(db):
    Step.objects.update_or_create(
        code=StepCode.CONSULT,
        defaults={"label": "民主协商", "label_en": "Talk it over"},
    )
    Step.objects.update_or_create(
        code=StepCode.VOTE, defaults={"label": "居民表决", "label_en": ""}
    )
    cache.delete(STEP_LABELS_CACHE_KEY)
    with translation.override("en"):
        english = step_labels()
    chinese = step_labels()
    assert english[StepCode.CONSULT] == "Talk it over"
    assert english[StepCode.VOTE] == "Vote"
    assert chinese[StepCode.CONSULT] == "民主协商"
    assert chinese[StepCode.VOTE] == "居民表决"
