"""The yearly report through the real Redis broker and a real Celery worker (CI's PostgreSQL run).

The worker is another process: it reads the committed rows of the test database
(PostgreSQL; an in-memory SQLite test database cannot be shared) and writes the PDF
into a media folder this test reads back.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from nanxi import roles
from nanxi.celery import app as celery_app
from reports import services
from reports.models import AnnualReport
from tests.conftest import reload_migration_data
from tests.factories import make_user
from tests.pdf_helpers import pdf_fonts, pdf_text

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or not os.environ.get("DATABASE_URL"),
        reason="needs REDIS_URL and DATABASE_URL: Redis, PostgreSQL and a Celery worker",
    ),
]


def _database_url() -> str:
    """The test database (test_…) as the worker must see it."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def report_worker(transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    reload_migration_data()
    name = f"report-{uuid.uuid4().hex[:8]}@localhost"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nanxi.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(tmp_path),
    }
    with open(log, "w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [sys.executable, "-m", "celery", "-A", "nanxi", "worker"]
            + ["--pool=solo", "--loglevel=INFO", "-n", name],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[name], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start:\n{log.read_text()}")
        yield log
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        process.wait(timeout=30)
        reload_migration_data()  # the flush after this test empties every table


def test_requested_report_is_built_by_the_worker(report_worker):
    street = make_user(roles.STREET_STAFF)
    report, started = services.report_request(year=2020, by=street)
    assert started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (AnnualReport.Status.DONE, AnnualReport.Status.FAILED):
            break
        time.sleep(0.3)
    assert report.status == AnnualReport.Status.DONE, (
        report.error or report_worker.read_text()
    )
    with report.pdf.open("rb") as pdf:
        data = pdf.read()
    assert "2020" in pdf_text(data)
    assert all(font.embedded and not font.is_base_14 for font in pdf_fonts(data))
