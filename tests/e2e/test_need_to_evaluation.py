"""One project in the browser, from a resident's need to two residents' evaluation,
and what the residents were told on the way (their inbox)."""

from datetime import timedelta

import pytest
from django.utils.timezone import localdate

from nanxi import roles
from nanxi.models import Notification
from projects import notices
from projects.models import Evaluation, Need, Project, Vote
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, AreaFactory, make_user

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)


def post(page, form: str) -> None:
    """Press the button of one form (found by where it posts) and wait for the page."""
    page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state()


def move_on(page, url: str) -> None:
    page.goto(url)
    step = Project.objects.values_list("step", flat=True).get()
    post(page, "form[action$='/move/']")
    assert Project.objects.values_list("step", flat=True).get() == step + 1, (
        page.locator(".messages").inner_text()
    )


def inbox(page, live_server) -> list[str]:
    page.goto(f"{live_server.url}/notifications/")
    return page.locator("#notifications li").all_inner_texts()


def test_a_need_becomes_a_project_that_two_residents_evaluate(new_page, live_server):
    area = AreaFactory(name="华业", slug="huaye")
    author = make_user(roles.RESIDENT, area=area, verified=True)
    neighbour = make_user(roles.RESIDENT, area=area, verified=True)
    staff = make_user(roles.AREA_STAFF, area=area)

    # A resident posts a need.
    alice = new_page()
    log_in(alice, live_server, author.email, PASSWORD)
    alice.goto(f"{live_server.url}/needs/new/")
    alice.fill("#id_title", "楼道装感应灯")
    alice.fill("#id_body", "晚上楼道太暗，老人上下楼不安全。")
    post(alice, "main form[enctype]")
    alice.wait_for_url("**/needs/*/")
    need = Need.objects.get()
    need_url = f"{live_server.url}/needs/{need.pk}/"

    # A neighbour needs it too (once).
    bob = new_page()
    log_in(bob, live_server, neighbour.email, PASSWORD)
    bob.goto(need_url)
    post(bob, "form[action$='/support/']")
    assert bob.locator("#supported").count() == 1
    assert bob.locator("form[action$='/support/']").count() == 0
    assert "1" in bob.locator("#supporters").inner_text()

    # The residents' committee turns it into a draft proposal for its author.
    office = new_page()
    log_in(office, live_server, staff.email, PASSWORD)
    office.goto(need_url)
    office.locator("details:has(form[action$='/propose/']) summary").click()
    office.check("form[action$='/propose/'] input[value=doorstep]")
    post(office, "form[action$='/propose/']")
    project = Project.objects.get()
    assert (project.need, project.proposer, project.step) == (need, author, 2)
    url = f"{live_server.url}/projects/{project.pk}/"

    # Its author is told, finds the draft through the notice and submits it.
    told = inbox(alice, live_server)
    assert len(told) == 1 and "楼道装感应灯" in told[0]
    assert alice.locator("#notifications-link .badge").count() == 1
    alice.locator("#notifications li a").first.click()
    alice.wait_for_url(f"**/projects/{project.pk}/")
    post(alice, "form[action$='/submit/']")
    assert Project.objects.get().step == 3
    # The neighbour who supported the need is told it is becoming a proposal.
    assert len(inbox(bob, live_server)) == 1

    # Staff accept it, open consultation, and open the vote with its closing day.
    move_on(office, url)
    move_on(office, url)
    office.goto(url)
    closes = (localdate() + timedelta(days=7)).isoformat()
    office.fill("#move-vote_closes_on", closes)
    post(office, "form[action$='/move/']")
    assert closes in office.locator("#vote-deadline").inner_text()

    # Both residents are told the vote opened, and vote online.
    for page in (alice, bob):
        texts = inbox(page, live_server)
        assert any(closes in text for text in texts), texts
        page.goto(url)
        page.check("input[name=choice][value=support]")
        post(page, "form[action$='/vote/']")
        assert page.locator("#vote-totals").count() == 1
    assert Vote.objects.filter(project=project, choice="support").count() == 2
    assert "2" in alice.locator("#turnout").inner_text()

    # Staff close the vote early (with the reason) and carry the project out.
    office.goto(url)
    office.fill("#move-note", "全楼居民都已投票")
    post(office, "form[action$='/move/']")
    assert Project.objects.get().step == 7
    for _step in range(7, 11):
        move_on(office, url)
    assert Project.objects.get().step == 11

    # Two residents rate the finished project online, once each.
    for page, stars in ((alice, "5"), (bob, "4")):
        page.goto(url)
        page.check(f"#rate input[name=stars][value='{stars}']")
        post(page, "#rate")
        assert page.locator("#my-rating").count() == 1
        assert page.locator("#rate").count() == 0
    assert Evaluation.objects.filter(project=project, paper=False).count() == 2
    public = new_page()
    public.goto(url)
    assert public.locator("#satisfaction").inner_text() == "90%"  # 4.5 ★ of 5

    # What each was told, as their inbox shows it: every notice, newest first.
    def kinds(user) -> list[str]:
        return list(
            Notification.objects.filter(recipient=user)
            .order_by("-created_at", "-pk")
            .values_list("kind", flat=True)
        )

    told = inbox(alice, live_server)
    assert len(told) == Notification.objects.filter(recipient=author).count()
    # The draft from her need; accepted (4) and moved on at every step to 11; the vote.
    assert sorted(kinds(author)) == sorted(
        [notices.MY_NEED, notices.VOTE_OPENED] + [notices.MY_PROPOSAL] * 8
    )
    for text in Notification.objects.filter(recipient=author).values_list(
        "text", flat=True
    ):
        assert any(text in shown for shown in told), text
    told = inbox(bob, live_server)
    assert kinds(neighbour) == [notices.VOTE_OPENED, notices.MY_NEED]
    assert len(told) == 2 and all("楼道装感应灯" in text for text in told)
    # Opening a notice reads it: the unread count in the header goes down.
    bob.locator("#notifications li a").first.click()
    bob.wait_for_load_state()
    assert Notification.objects.filter(recipient=neighbour, read_at=None).count() == 1
