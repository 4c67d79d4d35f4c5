import io
from decimal import Decimal

from django.core.management import call_command
from django.utils.timezone import localtime

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
    assert Project.objects.filter(year=None, step=6).exists()  # this year: voting


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
    # Every completed project wrote its summary (结项 needs one): all are shown,
    # ten to a page, the newest first.
    from projects.selectors import project_showcase

    completed = Project.objects.filter(outcome=Project.Outcome.DONE)
    assert not completed.filter(case_summary="").exists()
    assert Project.objects.showcase().count() == completed.count() >= 2
    body = client.get("/projects/showcase/").content.decode()
    assert all(p.title in body for p in project_showcase()[:10])


def test_demo_twice_keeps_one_support_per_neighbour(db):
    from projects.models import NeedSupport

    call_command("demo", stdout=io.StringIO())
    before = NeedSupport.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert NeedSupport.objects.count() == before


def test_demo_looks_like_nanjing_west_road(db, settings, tmp_path):
    """Own words per project, 2020's history dated in 2020, photos of the work done,
    the newsletter's pairs linked, and varied sample names."""
    from buildings.models import BuildingGroup
    from nanxi.models import Notification
    from projects.models import (
        Comment,
        Contribution,
        Evaluation,
        ProgressUpdate,
        ProjectPhoto,
        Vote,
    )

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", stdout=io.StringIO())
    projects = Project.objects.filter(year=2020)

    texts = list(projects.values_list("summary", "description"))
    assert len({s for s, _ in texts}) == len({d for _, d in texts}) == 33
    assert not any("居民区：" in s for s, _ in texts)  # the old one-line template
    assert len(set(projects.values_list("budget_requested", flat=True))) >= 10

    def years(model, field, **where):
        return {
            localtime(value).year if hasattr(value, "tzinfo") else value.year
            for value in model.objects.filter(**where).values_list(field, flat=True)
        }

    in_2020 = {"project__year": 2020}
    assert years(Project, "created_at", year=2020) == {2020}
    assert years(Project, "updated_at", year=2020) == {2020}
    assert years(StepChange, "created_at", **in_2020) == {2020}
    for model in (Comment, Vote, Evaluation, ProgressUpdate, ProjectPhoto):
        assert years(model, "created_at", **in_2020) == {2020}, model
    assert years(Contribution, "contributed_on", **in_2020) == {2020}
    assert years(Contribution, "created_at", **in_2020) == {2020}
    links = [p.get_absolute_url() for p in projects]
    assert years(Notification, "created_at", link__in=links) == {2020}
    # Deliberation with several neighbours, not the proposer talking to themselves.
    assert Vote.objects.filter(**in_2020).values("voter").distinct().count() > 30
    assert Comment.objects.filter(**in_2020).count() >= 2 * 33

    for project in projects.filter(outcome=Project.Outcome.DONE):
        photos = ProjectPhoto.objects.filter(
            project=project, progress_update__isnull=False
        )
        assert photos.exists(), project.title
        assert all((tmp_path / p.image.name).is_file() for p in photos)

    rose_garden = Project.objects.get(title="升平街65号月季苑")
    assert [g.name for g in rose_garden.building_groups.all()] == ["升平街65号"]
    group = BuildingGroup.objects.select_related("estate").get(name="花园公寓")
    assert group.estate.name == "花园公寓"
    names = list(BuildingGroup.objects.values_list("name", flat=True))
    streets = {n.split("路")[0] for n in names if "路" in n}
    assert len(streets) >= 8
    assert sum(n.endswith("号") for n in names) >= 20
    assert sum(n.endswith("弄") for n in names) >= 20
