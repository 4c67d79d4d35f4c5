from django.core.management import call_command
from django.core.management.base import BaseCommand

from buildings import demo as buildings_demo
from committees import demo as committees_demo
from nanxi import demo as nanxi_demo
from projects import demo as projects_demo

# Every app's demo loader, in the order their data depend on each other. The command
# lives on the top floor (reports), the one app that may import all the others.
LOADERS = [nanxi_demo, buildings_demo, committees_demo, projects_demo]


class Command(BaseCommand):
    help = "Load the Nanxi 2020 demo data and demo accounts (safe to run twice)."

    def handle(self, *args, **options):
        for loader in LOADERS:
            self.stdout.write(f"{loader.__name__}:")
            loader.load(self.stdout)
        # The newsletter's year as the street prints it.
        call_command("annual_report", "2020", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        for account in nanxi_demo.ACCOUNTS:
            role = "superuser" if account.superuser else account.role
            self.stdout.write(f"  {account.email:<30} {account.password:<18} {role}")
