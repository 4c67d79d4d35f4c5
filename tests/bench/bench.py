"""Benchmarks: prints numbers, asserts nothing (the budgets are in DESIGN.md).

    make bench                            # SQLite file under var/
    DATABASE_URL=postgres://… REDIS_URL=… REDIS_CACHE_URL=… make bench  # the real thing
    python tests/bench/bench.py reports   # only the yearly report
    python tests/bench/bench.py pages     # only queries and the load table
    BENCH_PATHS=/privacy/,/ python tests/bench/bench.py pages  # only these pages

Seeds BENCH_PROJECTS projects (default 10 000) with votes and contributions,
BENCH_GROUPS building groups (5 000) with ratings, 500 committees, a verified
resident, a street-staff member and a project page with 50 comments and 200 votes
into the database named by the environment (it must be a throwaway one: the script
migrates it and adds rows; the cache database is flushed). Prints the queries of
every page, the yearly report's time and memory, EXPLAIN ANALYZE of the list
queries, then serves the portal with gunicorn on 127.0.0.1 and loads every page
with wrk (else Python threads) as a visitor, the resident and street staff, next
to the bare /healthz on the same server: requests a second, % of /healthz, p50/p95.
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
# Only these paths in the load table (comma-separated, e.g. "/privacy/,/"), next to
# /healthz: for measuring one change at a time. Empty: every page.
ONLY = [path for path in os.environ.get("BENCH_PATHS", "").split(",") if path]


def setup_django():
    import django

    Path(os.environ["SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed() -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import F

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
        # Bulk rows skip the services: the change rows' time onto the projects.
        Project.objects.filter(moved_at=None).update(moved_at=F("created_at"))
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
    from buildings.services import groups_refresh_rating
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
        # Bulk rows skip the rating service: copy the newest stars onto the groups.
        groups_refresh_rating()
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


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d\\n", summary.requests,
    latency:percentile(50), latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def load(
    url: str, cookie: str = "", connections: int = 8
) -> tuple[float, float, float]:
    """Requests a second, p50 and p95 in milliseconds; fails on any error response."""
    if shutil.which("wrk"):
        script = ROOT / "var" / "bench-wrk.lua"
        script.write_text(WRK_SCRIPT)
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{SECONDS}s",
            "-s",
            str(script),
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        _n, p50, p95, errors = map(int, re.search(r"BENCH (.*)", out).group(1).split())
        if errors:
            raise SystemExit(f"{url}: {errors} failed requests under load\n{out}")
        return rps, p50 / 1000, p95 / 1000
    times: list[float] = []
    stop = time.monotonic() + SECONDS
    lock = threading.Lock()

    def worker():
        headers = {"Cookie": cookie} if cookie else {}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
        while time.monotonic() < stop:
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()
            with lock:
                times.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    return (
        len(times) / SECONDS,
        times[len(times) // 2] * 1000,
        times[int(len(times) * 0.95)] * 1000,
    )


# --- who is logged in, and the pages they open ----------------------------------------


def seed_people() -> dict:
    """A verified resident, a street-staff member, and a project page of 50 comments
    and 200 votes (made once; found again on the next run)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from nanxi import roles
    from nanxi.models import Profile, ResidentialArea
    from projects.models import Comment, Project, StepChange, Vote

    User = get_user_model()
    area = ResidentialArea.objects.get(slug="bench-0")
    people = {}
    for name, role, staff in [
        ("bench-resident", roles.RESIDENT, False),
        ("bench-street", roles.STREET_STAFF, True),
    ]:
        user, made = User.objects.get_or_create(
            username=name, defaults={"email": f"{name}@example.com", "is_staff": staff}
        )
        if made:
            user.groups.add(Group.objects.get(name=role))
            Profile.objects.update_or_create(
                user=user, defaults={"area": area, "verified_at": timezone.now()}
            )
        people[name] = user
    project = Project.objects.filter(title="压测议事项目").first()
    if project is None:
        voters = list(User.objects.filter(username__startswith="bench")[:200])
        project = Project.objects.create(
            title="压测议事项目",
            summary="五十条评论、两百张票。",
            description="压测数据。" * 40,
            category=Project.Category.DOORSTEP,
            area=area,
            proposer=voters[0],
            step=6,
            year=2020,
            crowdfunding_goal=1000,
            moved_at=timezone.now(),
        )
        StepChange.objects.create(
            project=project,
            from_step=1,
            to_step=6,
            outcome="open",
            actor=voters[0],
            created_at=project.created_at,
        )
        Vote.objects.bulk_create(
            Vote(
                project=project, voter=u, choice=("support", "oppose", "abstain")[n % 3]
            )
            for n, u in enumerate(voters)
        )
        Comment.objects.bulk_create(
            Comment(
                project=project,
                author=voters[n % 20],
                body=f"第{n}条意见：楼道要整治。",
            )
            for n in range(50)
        )
    return {**people, "project": project}


def session_cookie(user) -> str:
    """The cookies a logged-in browser sends: its session and, from its first page
    on, its CSRF cookie (without it every page would make a new CSRF secret)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get("/privacy/")
    return "; ".join(
        f"{name}={client.cookies[name].value}"
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    )


def pages(seeded: dict) -> list[tuple[str, str]]:
    """(label, path) of every page the budget covers."""
    from buildings.models import BuildingGroup
    from committees.models import OwnersCommittee

    group = BuildingGroup.objects.star_rated().order_by("pk").first()
    committee = OwnersCommittee.objects.order_by("pk").first()
    project = seeded["project"]
    return [
        ("home", "/"),
        ("projects", "/projects/"),
        ("projects, filtered", "/projects/?stage=2&year=2020"),
        ("projects, page 10", "/projects/?page=10"),
        ("projects, English", "/en/projects/"),
        ("project (50 comments, 200 votes)", f"/projects/{project.pk}/"),
        ("building groups", "/buildings/"),
        ("building groups, 4 stars", "/buildings/?stars=4"),
        ("building group", f"/buildings/{group.pk}/"),
        ("committees", "/committees/"),
        ("committee", f"/committees/{committee.pk}/"),
    ]


ACCOUNTS = {"resident": "bench-resident", "street staff": "bench-street"}

STAFF_PAGES = [
    ("work list", "/projects/manage/"),
    ("admin: building groups", "/admin/buildings/buildinggroup/"),
    ("admin: building groups, page 50", "/admin/buildings/buildinggroup/?p=50"),
    ("admin: ratings", "/admin/buildings/rating/"),
    ("admin: ratings, 2020", "/admin/buildings/rating/?year=2020"),
]


def query_counts(seeded: dict) -> None:
    """Queries per page, rendered for the resident and for street staff."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    # Counted by a wrapper, not CaptureQueriesContext: the request's start empties
    # the connection's query log, which that context slices by position.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def measured(client, url, served: bool) -> tuple[int, int]:
        client.get(url)  # warm caches, as a running server has them
        if not served:  # the page itself made again, its parts from the cache
            settings.PUBLIC_PAGE_CACHE_SECONDS = 0
        queries.clear()
        try:
            with connection.execute_wrapper(count):
                status = client.get(url).status_code
        finally:
            settings.PUBLIC_PAGE_CACHE_SECONDS = seconds
        return len(queries), status

    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS or 30
    print("queries  (a page made again · a page served while current)")
    for who, extra in [("bench-resident", []), ("bench-street", STAFF_PAGES)]:
        client = Client()
        client.force_login(seeded[who])
        for label, url in pages(seeded) + extra:
            made, status = measured(client, url, served=False)
            served, _ = measured(client, url, served=True)
            print(
                f"queries  {who:<15} {label:<34} {made:>3} · {served}  (HTTP {status})"
            )


def explain_lists(seeded: dict) -> None:
    """EXPLAIN ANALYZE of the queries that read the lists (PostgreSQL only)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        print("explain  (PostgreSQL only)")
        return
    cases = [
        ("bench-resident", "/projects/"),
        ("bench-resident", "/projects/?stage=2&year=2020"),
        ("bench-resident", "/projects/?page=10"),
        ("bench-resident", "/buildings/"),
        ("bench-resident", "/buildings/?stars=4"),
        ("bench-street", "/projects/manage/"),
        ("bench-street", "/admin/buildings/buildinggroup/"),
        ("bench-street", "/admin/buildings/rating/"),
    ]
    lists = ("projects_project", "buildings_buildinggroup", "buildings_rating")
    for who, url in cases:
        client = Client()
        client.force_login(seeded[who])
        from django.core.cache import cache

        cache.clear()  # what a cold cache asks the database
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        for query in queries.captured_queries:
            sql = query["sql"]
            if not set(re.findall(r'FROM "(\w+)"', sql)) & set(lists):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            print(
                f"\nexplain  {who} {url}\n  {sql[:300]}{'…' if len(sql) > 300 else ''}"
            )
            for line in plan:
                print(f"    {line}")


def serve(cache_seconds: int):
    # tests/bench/settings.py: the portal plus /bench/bare/, a bare view behind the
    # same middleware (the yardstick; /healthz is answered before any).
    env = {
        **os.environ,
        "PUBLIC_PAGE_CACHE_SECONDS": str(cache_seconds),
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
    }
    command = [sys.executable, "-m", "gunicorn", "nanxi.wsgi:application"]
    command += ["-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1).read()  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    return server


def check_page(url: str, cookie: str, logged_in: bool) -> None:
    """The page answers 200, and for a logged-in person shows their log-out button."""
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read().decode()
    if logged_in and "logout/" not in body:
        raise SystemExit(f"{url}: not rendered for the logged-in person")


def measure(seeded: dict) -> None:
    """One gunicorn, visitors' page cache as deployed; every page side by side."""
    base = f"http://127.0.0.1:{PORT}"
    cookies = {
        who: session_cookie(seeded[who]) for who in ("bench-resident", "bench-street")
    }
    server = serve(cache_seconds=30)
    tool = "wrk" if shutil.which("wrk") else "python threads"
    print(
        f"\nload     gunicorn -w {WORKERS}, {SECONDS} s a URL, 8 connections ({tool}); "
        "page cache as deployed (30 s at most; logged-in people share pages by audience, "
        "their own parts filled per request)"
    )
    rows = []
    try:
        hello = load(f"{base}/healthz")
        rows.append(("/healthz (answered before the middleware)", "", "-", *hello))
        bare_first = load(f"{base}/bench/bare/")
        rows.append(("bare view, same middleware", "/bench/bare/", "-", *bare_first))
        runs = [("visitor", label, path) for label, path in pages(seeded)[:3]]
        # The floor: a page with nothing of its own, for the same logged-in person.
        runs += [("resident", "static page (logged-in floor)", "/privacy/")]
        runs += [("resident", label, path) for label, path in pages(seeded)]
        runs += [("street staff", label, path) for label, path in pages(seeded)]
        runs += [("street staff", label, path) for label, path in STAFF_PAGES]
        if ONLY:
            runs = [run for run in runs if run[2] in ONLY]
        for who, label, path in runs:
            cookie = cookies.get(ACCOUNTS.get(who, ""), "")
            check_page(base + path, cookie, logged_in=who != "visitor")
            # The admin's budget is a page's time for one person: one connection.
            one = path.startswith("/admin/")
            label = f"{label} (1 connection)" if one else label
            rows.append((label, path, who, *load(base + path, cookie, 1 if one else 8)))
        bare_again = load(f"{base}/bench/bare/")
        rows.append(("bare view again", "/bench/bare/", "-", *bare_again))
        again = load(f"{base}/healthz")
        rows.append(("/healthz again", "", "-", *again))
    finally:
        server.terminate()
        server.wait(timeout=30)
    health = (hello[0] + again[0]) / 2
    bare = (bare_first[0] + bare_again[0]) / 2
    print("\n| page | who | rps | % of /healthz | % of bare view | p50 ms | p95 ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, path, who, rps, p50, p95 in rows:
        name = f"`{path}` {label}" if path else label
        print(
            f"| {name} | {who} | {rps:.0f} | {rps / health:.0%} | {rps / bare:.0%} "
            f"| {p50:.1f} | {p95:.1f} |"
        )


def main() -> None:
    setup_django()
    from django.core.cache import cache
    from django.db import connection

    print(f"database {connection.vendor} ({connection.settings_dict['NAME']})")
    seed()
    if sys.argv[1:] == ["reports"]:  # tests/bench/bench.py reports: this part only
        seed_groups()
        seed_committees()
        yearly_report()
        return
    seed_groups()
    seed_committees()
    seeded = seed_people()
    # Versions and fragments of another database must not answer for this one.
    cache.clear()
    query_counts(seeded)
    if sys.argv[1:] != ["pages"]:
        yearly_report()
        explain_lists(seeded)
    measure(seeded)


if __name__ == "__main__":
    main()
