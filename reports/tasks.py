from celery import shared_task
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

from reports import services

# Longer than the longest report (the budget is 5 s), shorter than the broker's
# visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS, 20 minutes), so a
# report whose worker was killed is delivered again (acks_late) and finished by
# another worker.
TIME_LIMIT = 15 * 60


@shared_task(
    name="reports.build_annual_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ImproperlyConfigured,),  # a bad font file will not heal
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    max_retries=3,
    soft_time_limit=TIME_LIMIT - 60,
    time_limit=TIME_LIMIT,
)
def build_annual_report(report_id: int) -> None:
    """Build one AnnualReport (an id): running → done, or failed with the error."""
    # The report is printed in the site's language, whoever asked for it.
    with translation.override("zh-hans"):
        services.report_build(report_id=report_id)


@shared_task(name="reports.build_last_years_report")
def build_last_years_report() -> None:
    """The yearly schedule (5 January): build the report of the year just ended."""
    services.report_request(year=timezone.localdate().year - 1, by=None)
