"""axe-core on every kind of page of the demo, for each role: no critical or serious issue.

axe-core is the npm package pinned in package.json (``npm ci``, which ``make test``
runs when npm is there). The test loads the Nanxi 2020 demo, logs in as a visitor, a
resident, residents' committee staff, street staff and the superuser, and walks the
links each one sees, from the home page, the work list and the admin: one page of
each address pattern (``/projects/33/`` stands for every project) per person.
"""

import os
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}

pytestmark = pytest.mark.django_db(transaction=True)

# Where each person starts; the walk follows the links it finds from there.
PEOPLE = {
    "visitor": (None, ["/", "/projects/", "/buildings/", "/needs/", "/privacy/"]),
    "resident": (
        ("resident@nanxi.example", "nanxi-resident"),
        ["/", "/projects/new/", "/accounts/profile/", "/accounts/data/"],
    ),
    # The superuser sees every admin page; staff after it walk only the admin
    # pages it did not reach (same templates, fewer rows).
    "superuser": (("admin@nanxi.example", "nanxi-admin"), ["/admin/"]),
    "street staff": (
        ("street@nanxi.example", "nanxi-street"),
        ["/projects/manage/", "/admin/", "/admin/buildings/rating/add/"],
    ),
    "area staff": (
        ("huaye.staff@nanxi.example", "nanxi-area"),
        ["/projects/manage/", "/accounts/residents/", "/admin/"],
    ),
}

# Not pages: files, downloads, logging out, another language (same templates).
SKIP = re.compile(
    r"^/(static|media|en)/|/logout/|\.(pdf|csv|json|png|jpe?g|webp|svg|ico)$"
    r"|/poster/|/download|/jsi18n/|format=|/export|/r/\d+/"
)
PAGES_PER_PERSON = 150


def pattern(path: str) -> str:
    """The address with its ids taken out: /projects/33/ and /projects/34/ are one."""
    path, _, query = path.partition("?")
    # The admin's sorting and filter links show the same changelist.
    keys = sorted(
        {p.split("=")[0] for p in query.split("&") if p and "/admin/" not in path}
    )
    return re.sub(r"/\d+/", "/N/", path) + ("?" + "&".join(keys) if keys else "")


def audit(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{email} could not log in"


def walk(
    page, base: str, starts: list[str], seen_admin: set[str]
) -> dict[str, list[dict]]:
    """Visit one page per address pattern reachable from ``starts``; axe each one.

    ``seen_admin`` is shared by everyone: an admin page is audited once.
    """
    found: dict[str, list[dict]] = {}
    seen_patterns: set[str] = set(seen_admin)
    queue = list(starts)
    while queue and len(found) < PAGES_PER_PERSON:
        path = queue.pop(0)
        key = pattern(path)
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        if key.startswith("/admin/"):
            seen_admin.add(key)
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        found[path] = audit(page)
        for href in page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.href)"
        ):
            href = urldefrag(href).url
            if not href.startswith(base):
                continue
            parts = urlsplit(href)
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if not SKIP.search(local) and pattern(local) not in seen_patterns:
                queue.append(local)
    return found


@pytest.fixture
def axe():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE} missing): run `npm ci`"
        # CI installs npm and runs `npm ci`: there, a missing axe-core is a failure.
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_no_critical_or_serious_axe_violation_on_any_demo_page(
    axe, browser, demo, live_server
):
    problems = defaultdict(list)
    visited = 0
    seen_admin: set[str] = set()
    for person, (login, starts) in PEOPLE.items():
        context = browser.new_context(
            viewport={"width": 1280, "height": 800},
            locale="zh-CN",
            # The portal's CSP allows only its own scripts; axe is injected inline.
            bypass_csp=True,
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        if login:
            log_in(page, live_server.url, *login)
        found = walk(page, live_server.url, starts, seen_admin)
        context.close()
        visited += len(found)
        for path, violations in found.items():
            for v in violations:
                problems[f"{v['impact']} {v['id']}: {v['help']}"].append(
                    f"{person} {path} {v['nodes']}"
                )
    assert visited > 40, f"only {visited} pages were reached: is the demo loaded?"
    report = "\n".join(
        f"{rule}\n    " + "\n    ".join(where[:8]) for rule, where in problems.items()
    )
    assert not problems, f"axe-core on {visited} pages:\n{report}"
