import io
from decimal import Decimal

from django.core.management import call_command

from projects.models import Project, StepChange
from projects.selectors import projects_year_figures


def test_demo_reproduces_the_newsletters_2020_project_figures(db):
    call_command("demo", stdout=io.StringIO())
    figures = projects_year_figures(2020)
    assert figures == {
        "total": 33,
        "event": 13,
        "team": 9,
        "doorstep": 11,
        "beneficiaries": 14000,
        "crowdfunding": Decimal("18500.00"),
    }
    # Every project got where it is through recorded moves, at different steps.
    assert StepChange.objects.filter(project__year=2020, to_step=7).count() == 33
    assert len(set(Project.objects.in_year(2020).values_list("step", flat=True))) >= 4
    assert Project.objects.filter(year=None, step=6).exists()  # 2021: still voting


def test_demo_twice_changes_nothing(db):
    call_command("demo", stdout=io.StringIO())
    before = (Project.objects.count(), StepChange.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Project.objects.count(), StepChange.objects.count()) == before


def test_demo_has_the_residents_loop(db):
    from nanxi.models import Notification
    from projects.models import Evaluation, Need, Pledge

    call_command("demo", stdout=io.StringIO())
    voting = Project.objects.get(year=None, step=6)
    assert voting.vote_closes_on is not None  # an open vote with a deadline
    assert Pledge.objects.filter(status="pending").exists()
    assert Evaluation.objects.filter(paper=True).exists()
    assert Evaluation.objects.filter(paper=False).exists()
    assert Need.objects.with_support().filter(supporters__gte=1).count() >= 3
    assert Need.objects.with_support().filter(supporters__gte=2).exists()
    # 2020's moves are read history; only the few notices of now are news.
    assert 0 < Notification.objects.filter(read_at=None).count() < 20
    assert not Notification.objects.filter(read_at__isnull=False, emailed_at=None)


def test_demo_has_an_open_vote_pledges_and_a_project_showcase(db, client):
    from django.utils.timezone import localdate

    from projects.models import Pledge

    call_command("demo", stdout=io.StringIO())
    voting = Project.objects.get(year=None, step=6)
    assert voting.is_open and voting.vote_closes_on > localdate()
    assert Pledge.objects.filter(status="pending").count() >= 2
    shown = Project.objects.showcase()
    assert shown.count() >= 2
    body = client.get("/projects/showcase/").content.decode()
    assert all(p.title in body for p in shown)


def test_demo_twice_keeps_one_support_per_neighbour(db):
    from projects.models import NeedSupport

    call_command("demo", stdout=io.StringIO())
    before = NeedSupport.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert NeedSupport.objects.count() == before
