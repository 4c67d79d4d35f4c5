from celery import shared_task

from projects import services


@shared_task(name="projects.expire_pledges")
def expire_pledges() -> int:
    """Daily: pledges not confirmed in time expire (idempotent; returns how many)."""
    return len(services.pledges_expire())
