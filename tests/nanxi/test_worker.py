"""Mail through the real Celery worker and Redis broker (runs where REDIS_URL is set)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from nanxi.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs REDIS_URL: a Redis broker and a Celery worker",
    ),
]


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """A real `celery worker` process, sending mail to files in a folder we can read."""
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    log = tmp_path_factory.mktemp("worker-log") / "worker.log"
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nanxi.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with open(log, "w") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "nanxi",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-n",
                name,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[name], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start:\n{log.read_text()}")
        yield mail_dir
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def queued():
    """Send tasks to the broker for real instead of running them in-process."""
    # Celery's Settings maps attributes onto its own layers: monkeypatch cannot undo it.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager


def wait_for_mail(folder: Path, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob("*.log"):
            content = path.read_text()
            if text in content:
                return content
        time.sleep(0.2)
    raise AssertionError(f"no mail containing {text!r} in {folder} after {timeout}s")


def test_signup_mail_goes_through_broker_and_worker(
    db, client, worker, queued, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "queued@example.com",
                "password1": "Nanxi-garden-2020!",
                "password2": "Nanxi-garden-2020!",
                "privacy_consent": "on",
            },
        )
    assert response.status_code == 302
    assert mail.outbox == []  # not sent in the request's process
    content = wait_for_mail(worker, "queued@example.com")
    assert "/accounts/confirm-email/" in content
