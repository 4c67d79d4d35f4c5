from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports import services
from reports.content import number


class Command(BaseCommand):
    help = (
        "Build the yearly self-governance report of YEAR now, in this process (the "
        "same code as the Celery task), and optionally copy the PDF to a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--out", type=Path, help="also write the PDF here")

    def handle(self, *args, year: int, out: Path | None = None, **options):
        try:
            with translation.override("zh-hans"):
                report = services.report_build_now(year=year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if out:
            with report.pdf.open("rb") as pdf:
                out.write_bytes(pdf.read())
        p = report.figures["projects"]
        b = report.figures["buildings"]
        c = report.figures["committees"]
        self.stdout.write(
            f"{year}: {p['total']} projects ({p['event']} / {p['team']} / "
            f"{p['doorstep']}), {p['beneficiaries']} beneficiaries, "
            f"{number(Decimal(p['crowdfunding']))} yuan; {b['star_rated']} star-rated "
            f"groups, {b['new_three_star']} newly three-star, "
            f"{b['upgraded_four_star']} upgraded to four-star, "
            f"{b['district_applications']} district applications; "
            f"{number(c['re_elections'])} re-elections, "
            f"{number(c['assessments_passed'])} assessments passed"
        )
        where = report.pdf.name + (f", {out}" if out else "")
        self.stdout.write(self.style.SUCCESS(f"Report: {where}"))
