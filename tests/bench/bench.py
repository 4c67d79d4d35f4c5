"""Benchmarks: prints numbers, asserts nothing (the budgets are in DESIGN.md).

    make bench                          # SQLite file under var/
    python tests/bench/bench.py reports # only the yearly report
    DATABASE_URL=postgres://… make bench  # the real thing

Seeds BENCH_PROJECTS projects (default 10 000) with votes and contributions into
the database named by the environment (it must be a throwaway one: the script
migrates it and adds rows), serves the portal with gunicorn on 127.0.0.1, loads
it with wrk when installed (else with Python threads) and prints requests per
second of the project list next to a bare "ok" view on the same server.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanxi.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench.sqlite3"))
os.environ["DEBUG"] = "0"
os.environ["STATIC_MANIFEST"] = "0"

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "10000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
GROUPS = int(os.environ.get("BENCH_GROUPS", "5000"))


def setup_django():
    import django

    Path(os.environ["SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed() -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from nanxi.models import Profile, ResidentialArea
    from projects.models import Contribution, Project, StepChange, Topic, Vote

    have = Project.objects.count()
    if have >= PROJECTS:
        print(f"seed: {have} projects already there")
        return
    started = time.perf_counter()
    rng = random.Random(2020)  # noqa: S311  (benchmark data, not secrets)
    User = get_user_model()
    with transaction.atomic():
        areas = [
            ResidentialArea.objects.get_or_create(
                slug=f"bench-{n}", defaults={"name": f"压测{n}"}
            )[0]
            for n in range(8)
        ]
        users = User.objects.bulk_create(
            User(username=f"bench{have}-{n}", email=f"bench{have}-{n}@example.com")
            for n in range(300)
        )
        Profile.objects.bulk_create(
            Profile(user=u, area=rng.choice(areas)) for u in users
        )
        topics = list(Topic.objects.all())
        categories = [c for c, _ in Project.Category.choices]
        projects = Project.objects.bulk_create(
            Project(
                title=f"压测项目{have + n}",
                summary="楼道整治、垃圾分类、文明养宠。",
                description="压测数据。" * 20,
                category=rng.choice(categories),
                area=rng.choice(areas),
                proposer=rng.choice(users),
                step=rng.randint(3, 12),
                year=rng.choice([2019, 2020, 2021, None]),
                beneficiaries=rng.randint(10, 500),
                crowdfunding_goal=Decimal("1000.00"),
            )
            for n in range(PROJECTS - have)
        )
        through = Project.topics.through
        through.objects.bulk_create(
            through(project_id=p.pk, topic_id=rng.choice(topics).pk) for p in projects
        )
        StepChange.objects.bulk_create(
            StepChange(
                project=p,
                from_step=1,
                to_step=p.step,
                outcome="open",
                actor=p.proposer,
                created_at=p.created_at,
            )
            for p in projects
        )
        Vote.objects.bulk_create(
            Vote(
                project=p, voter=u, choice=rng.choice(["support", "oppose", "abstain"])
            )
            for p in projects
            for u in rng.sample(users, 3)
        )
        Contribution.objects.bulk_create(
            Contribution(
                project=p,
                contributor="居民",
                amount=Decimal(rng.randint(10, 500)),
                contributed_on="2020-06-01",
                recorded_by=p.proposer,
            )
            for p in projects[::2]
        )
    print(f"seed: {PROJECTS - have} projects in {time.perf_counter() - started:.1f} s")


def query_counts() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from projects.models import Project

    client = Client()
    override = override_settings(PUBLIC_PAGE_CACHE_SECONDS=0)  # what a render costs
    override.enable()
    pk = Project.objects.order_by("pk").values_list("pk", flat=True).first()
    for url in ["/projects/", "/projects/?stage=2&year=2020", f"/projects/{pk}/", "/"]:
        client.get(url)  # warm caches, as a running server has them
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        print(f"queries  {url:<32} {len(queries):>3}  (HTTP {status})")
    override.disable()


def seed_groups() -> None:
    """BENCH_GROUPS building groups, rated in 2019 and 2020, half applying."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from buildings.models import (
        BuildingGroup,
        DistrictApplication,
        Rating,
        RatingStandard,
    )
    from nanxi.models import ResidentialArea

    have = BuildingGroup.objects.count()
    if have >= GROUPS:
        print(f"seed: {have} building groups already there")
        return
    started = time.perf_counter()
    rng = random.Random(2021)  # noqa: S311  (benchmark data, not secrets)
    staff = get_user_model().objects.order_by("pk").first()
    standard = RatingStandard.objects.order_by("pk").first()
    areas = list(ResidentialArea.objects.all())
    with transaction.atomic():
        groups = BuildingGroup.objects.bulk_create(
            BuildingGroup(name=f"压测楼组{have + n}", area=rng.choice(areas))
            for n in range(GROUPS - have)
        )
        Rating.objects.bulk_create(
            Rating(
                group=g,
                standard=standard,
                year=year,
                stars=rng.randint(0, 5),
                total=80,
                rated_by=staff,
            )
            for g in groups
            for year in (2019, 2020)
        )
        DistrictApplication.objects.bulk_create(
            DistrictApplication(group=g, year=2020) for g in groups[::2]
        )
    print(
        f"seed: {len(groups)} building groups in {time.perf_counter() - started:.1f} s"
    )


COMMITTEES = 500


def seed_committees() -> None:
    """500 estates with committees, terms and 2020 assessments (bulk, not the services)."""
    from datetime import date
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from committees.models import (
        Assessment,
        AssessmentScore,
        AssessmentStandard,
        OwnersCommittee,
        Term,
    )
    from nanxi.models import Estate, ResidentialArea

    if OwnersCommittee.objects.count() >= COMMITTEES:
        return
    started = time.perf_counter()
    areas = list(ResidentialArea.objects.all())
    staff = get_user_model().objects.filter(is_staff=True).first()
    staff = staff or get_user_model().objects.create(username="bench-staff")
    standard = AssessmentStandard.objects.order_by("pk").first()
    items = list(standard.items.all())
    estates = Estate.objects.bulk_create(
        Estate(
            name=f"基准小区{n}",
            area=areas[n % len(areas)],
            households=200 + n % 300,
            floor_area=Decimal(20000 + n * 10),
        )
        for n in range(COMMITTEES)
    )
    committees = OwnersCommittee.objects.bulk_create(
        OwnersCommittee(estate=estate) for estate in estates
    )
    Term.objects.bulk_create(
        Term(
            committee=c,
            number=1,
            start=date(2018 + n % 3, 1, 1),
            end=date(2023 + n % 3, 1, 1),
        )
        for n, c in enumerate(committees)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(
            committee=c,
            standard=standard,
            year=2020,
            total=60 + n % 40,
            passed=60 + n % 40 >= standard.pass_mark,
            assessed_by=staff,
        )
        for n, c in enumerate(committees)
    )
    AssessmentScore.objects.bulk_create(
        AssessmentScore(
            assessment=a, item=item, score=item.max_points // (1 + (n + i) % 3)
        )
        for n, a in enumerate(assessments)
        for i, item in enumerate(items)
    )
    print(f"seed: {COMMITTEES} committees in {time.perf_counter() - started:.1f} s")


def yearly_report() -> None:
    """The yearly report: figures (queries, time) and the PDF (time, peak memory)."""
    import resource

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from reports.content import report_content
    from reports.pdf import render_report
    from reports.selectors import year_figures

    translation.activate("zh-hans")
    year_figures(2020)  # warm: font, imports
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        figures = year_figures(2020)
    gathered = time.perf_counter() - started
    pdf = render_report(report_content(figures))
    total = time.perf_counter() - started
    # The whole process's peak resident memory (Linux: KiB), Django included.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"report   year_figures(2020): {len(queries)} queries, {gathered:.2f} s "
        f"({figures.projects.total} projects, {figures.buildings.star_rated} "
        f"star-rated groups)"
    )
    print(
        f"report   figures + PDF ({len(pdf) // 1024} KiB): {total:.2f} s, "
        f"peak RSS {peak / 2**20:.0f} MB (budget 5 s, 300 MB)"
    )


def load(url: str) -> float:
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{SECONDS}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    done = [0]
    stop = time.monotonic() + SECONDS

    def worker():
        while time.monotonic() < stop:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
                response.read()
            done[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / SECONDS


def serve_and_measure(cache_seconds: int) -> None:
    """Start gunicorn with the visitors' page cache at `cache_seconds`, load it."""
    from projects.models import Project

    pk = Project.objects.order_by("pk").values_list("pk", flat=True).first()
    env = {**os.environ, "PUBLIC_PAGE_CACHE_SECONDS": str(cache_seconds)}
    command = [sys.executable, "-m", "gunicorn", "nanxi.wsgi:application"]
    command += ["-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        tool = "wrk" if shutil.which("wrk") else "python threads"
        print(
            f"load     gunicorn -w {WORKERS}, visitors' page cache {cache_seconds} s, "
            f"{SECONDS} s a URL, 8 connections ({tool})"
        )
        hello = load(f"{base}/healthz")
        print(f"rps      /healthz (bare view)             {hello:8.1f}")
        for path in ["/projects/", "/projects/?stage=2&year=2020", f"/projects/{pk}/"]:
            rps = load(f"{base}{path}")
            print(f"rps      {path:<32} {rps:8.1f}   {rps / hello:6.1%} of bare")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    setup_django()
    from django.db import connection

    print(f"database {connection.vendor} ({connection.settings_dict['NAME']})")
    seed()
    if sys.argv[1:] == ["reports"]:  # tests/bench/bench.py reports: this part only
        seed_groups()
        seed_committees()
        yearly_report()
        return
    query_counts()
    seed_groups()
    seed_committees()
    yearly_report()
    serve_and_measure(cache_seconds=30)  # as deployed
    serve_and_measure(cache_seconds=0)  # every request rendered


if __name__ == "__main__":
    main()
