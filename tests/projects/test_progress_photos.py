"""Progress updates (step 9) take photos, with the same upload rules as proposals."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.models import ProgressUpdate, ProjectPhoto, StepCode
from tests.factories import photo
from tests.projects.helpers import make_project


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def carrying_out(area, area_staff, resident):
    return make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.CARRY_OUT
    )


def test_progress_update_keeps_its_photos_apart_from_the_proposals(
    carrying_out, area_staff
):
    update = services.progress_post(
        project=carrying_out,
        by=area_staff,
        body="扶手已安装到三楼。",
        photos=[photo(), photo(fmt="PNG")],
    )
    assert update.photos.count() == 2
    assert all(p.image.name.endswith(".jpg") for p in update.photos.all())
    assert all(p.uploaded_by == area_staff for p in update.photos.all())
    assert not carrying_out.photos.filter(progress_update=None).exists()


@pytest.mark.parametrize(
    "photos",
    [
        [photo(), SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")],
        [photo() for _ in range(7)],
    ],
    ids=["a bad file", "seven photos"],
)
def test_bad_progress_photos_post_nothing(carrying_out, area_staff, photos):
    with pytest.raises(ValidationError):
        services.progress_post(
            project=carrying_out, by=area_staff, body="已开工", photos=photos
        )
    assert not ProgressUpdate.objects.exists()
    assert not ProjectPhoto.objects.exists()


def test_proposer_posts_progress_with_a_photo_from_the_page(
    client, carrying_out, resident
):
    client.force_login(resident)
    response = client.post(
        f"/projects/{carrying_out.pk}/progress/",
        {"body": "材料已进场。", "photos": [photo()]},
    )
    assert response.status_code == 302
    thumb = ProjectPhoto.objects.get(progress_update__isnull=False).thumbnail.url
    page = client.get(carrying_out.get_absolute_url()).content.decode()
    assert "材料已进场。" in page and thumb in page


def test_a_bad_progress_photo_from_the_page_says_why(client, carrying_out, resident):
    client.force_login(resident)
    fake = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    response = client.post(
        f"/projects/{carrying_out.pk}/progress/",
        {"body": "材料已进场。", "photos": [fake]},
        follow=True,
    )
    assert "无法作为照片读取" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_progress_photos_only_while_carrying_out(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    with pytest.raises(ValidationError):
        services.progress_post(
            project=project, by=area_staff, body="提前开工", photos=[photo()]
        )
    assert not ProjectPhoto.objects.exists()
