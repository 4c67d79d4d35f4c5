"""The README's promise: `check --deploy` is clean with the values of .env.example."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from reports.tasks import TIME_LIMIT

ROOT = Path(__file__).resolve().parents[2]


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def test_check_deploy_with_env_example_has_no_warnings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "REDIS_CACHE_URL", "DEBUG"}
    }
    env.update(env_example())
    # .env.example's placeholder is short and obvious on purpose; a real key is not.
    env["SECRET_KEY"] = "x7#Qk2!vLp9@Zr4$Wm8^Tn3&Yb6*Hc1(Jd5)Fg0-Ks2+Ue7=Ai9"
    env["DJANGO_SETTINGS_MODULE"] = "nanxi.settings"
    env["SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_killed_workers_message_comes_back_before_a_report_could_finish():
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    # Longer than the longest task and the longest retry countdown (15 minutes),
    # or a message still being worked on would be handed out a second time.
    assert visibility > TIME_LIMIT
    assert visibility < 3600  # kombu's default parked a lost message for an hour
