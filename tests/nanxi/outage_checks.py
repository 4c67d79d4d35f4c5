"""What a visitor, a resident and staff do, checked while Redis is down.

Shared by the unit test (a cache on a closed port, a broker double) and the live
test that stops CI's real Redis (tests/nanxi/test_outage_live.py).
"""

from django.core import mail

from nanxi import roles
from projects.models import Comment, StepCode, Vote
from tests.factories import make_user
from tests.projects.helpers import make_project

VISITOR_PAGES = [
    "/",
    "/en/",
    "/projects/",
    "/projects/?category=team&page=1",
    "/buildings/",
    "/buildings/showcase/",
    "/committees/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]


def everything_works(client, area, capture_on_commit) -> None:
    """Pages render, a vote and a comment are saved, a reset mail goes out."""
    staff = make_user(roles.AREA_STAFF, area=area)
    voting = make_project(area=area, staff=staff, step=StepCode.VOTE, title="表决中")
    talking = make_project(area=area, staff=staff, step=StepCode.CONSULT)
    pages = [*VISITOR_PAGES, f"/projects/{voting.pk}/"]
    for _round in range(2):  # the second round would come from the page cache
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url

    # A wrong password is refused with the form, not a 500 (throttles count in the cache).
    response = client.post(
        "/accounts/login/", {"login": "nobody@example.com", "password": "wrong"}
    )
    assert response.status_code == 200

    resident = make_user(roles.RESIDENT, area=area, verified=True)
    client.force_login(resident)
    own = [url for url in pages if not url.startswith("/accounts/")]
    for url in [*own, "/accounts/profile/", "/projects/mine/"]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        f"/projects/{voting.pk}/vote/", {"choice": "support"}, follow=True
    )
    assert response.status_code == 200
    assert Vote.objects.filter(project=voting, voter=resident).exists()
    response = client.post(
        f"/projects/{talking.pk}/comment/", {"body": "同意，楼道太暗了。"}, follow=True
    )
    assert response.status_code == 200
    assert Comment.objects.filter(project=talking, author=resident).exists()

    client.force_login(staff)
    assert client.get("/projects/manage/").status_code == 200
    client.logout()

    mail.outbox.clear()
    with capture_on_commit(execute=True):
        response = client.post("/accounts/password/reset/", {"email": resident.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
