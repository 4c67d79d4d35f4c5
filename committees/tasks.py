from celery import shared_task

from committees import services


@shared_task(name="committees.flag_ending_terms")
def flag_ending_terms() -> int:
    """Daily: flag terms ending within 180 days (or ended) and warn their area once."""
    return services.terms_flag_ending()
