"""No lost mail when a worker dies mid-task (real Celery workers on the Redis broker).

`kill -9` of a prefork worker's child: the parent sees WorkerLostError and, with
task_reject_on_worker_lost, puts the message back. `kill -9` of a whole worker: the
message stays unacknowledged in Redis and another worker takes it once the
visibility timeout (5 s for these workers, 20 minutes in production) has passed.
Either way the mail arrives exactly once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from nanxi import queue, tasks
from nanxi.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs REDIS_URL: a Redis broker and Celery workers",
    ),
]


@pytest.fixture
def workers(tmp_path):
    """Start workers that share a mail folder and the slow-once backend."""
    started = []
    mail_dir = tmp_path / "mail"
    marker = tmp_path / "first-attempt.pid"

    def start(*, pool: str) -> subprocess.Popen:
        name = f"lost-{uuid.uuid4().hex[:8]}@localhost"
        log = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nanxi.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_BACKEND": "tests.nanxi.slow_mail.SlowOnceFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SLOW_MAIL_MARKER": str(marker),
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        }
        args = ["--pool=solo"] if pool == "solo" else ["--pool=prefork", "-c", "1"]
        with open(log, "w") as out:
            process = subprocess.Popen(  # our own worker, fixed arguments
                [sys.executable, "-m", "celery", "-A", "nanxi", "worker", *args]
                + ["--loglevel=INFO", "--without-mingle", "--without-gossip"]
                + ["-n", name],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[name], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start:\n{log.read_text()}")
        return process

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield start, mail_dir, marker
    finally:
        celery_app.conf.task_always_eager = eager
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def _send(subject: str) -> None:
    assert queue.enqueue(
        tasks.send_email,
        subject=subject,
        body="请重设密码。",
        from_email="noreply@nanxi.example",
        to=["resident@example.com"],
    )


def _wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def _mails_with(folder: Path, text: str) -> int:
    if not folder.exists():
        return 0
    return sum(text in path.read_text() for path in folder.glob("*.log"))


def _arrives_exactly_once(folder: Path, text: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while _mails_with(folder, text) == 0:
        assert time.monotonic() < deadline, f"no mail {text!r} after {timeout}s"
        time.sleep(0.2)
    time.sleep(7)  # longer than the visibility timeout: a duplicate would show now
    assert _mails_with(folder, text) == 1


def test_mail_survives_its_worker_child_killed(workers):
    start, mail_dir, marker = workers
    start(pool="prefork")
    subject = f"reset {uuid.uuid4().hex}"
    _send(subject)
    _wait_for(marker)  # the child is inside the task, sleeping
    os.kill(int(marker.read_text()), signal.SIGKILL)
    _arrives_exactly_once(mail_dir, subject)


def test_mail_survives_its_whole_worker_killed(workers):
    start, mail_dir, marker = workers
    first = start(pool="solo")
    subject = f"reset {uuid.uuid4().hex}"
    _send(subject)
    _wait_for(marker)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    start(pool="solo")
    _arrives_exactly_once(mail_dir, subject)
