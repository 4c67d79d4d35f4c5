"""The one way the portal hands work to Celery.

Every task is enqueued through :func:`enqueue_on_commit` (or :func:`enqueue` where no
transaction is open): the broker (Redis) is a queue, never a reason for a 500. When it
cannot take a task within a moment, the task runs here, in this process, with a logged
warning — a mail is sent inline, a report is built inline — so nothing is lost and the
page still answers. A test (tests/nanxi/test_queue.py) keeps `.delay(` out of the apps.
"""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Give up on the broker quickly: a person is waiting for the page.
RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def enqueue(task: Task, **kwargs) -> bool:
    """Send `task` with keyword arguments to the broker; run it here if it is down.

    Returns True when the broker took the task. Never raises for a broker outage,
    nor for the task failing when it had to run inline (that is logged).
    """
    try:
        task.apply_async(kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except OperationalError as exc:
        logger.warning(
            "Broker unreachable (%s): running %s in this process instead",
            exc,
            task.name,
        )
    else:
        return True
    result = task.apply(kwargs=kwargs, throw=False)
    if result.failed():
        logger.error("%s failed while running inline: %r", task.name, result.result)
    return False


def enqueue_on_commit(task: Task, **kwargs) -> None:
    """Enqueue `task` once the current transaction commits (never for a rollback)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
