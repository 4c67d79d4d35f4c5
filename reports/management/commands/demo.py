from importlib import import_module

from django.core.management.base import BaseCommand

from nanxi import demo

# Each app that has demo data adds its loader here, in dependency order.
LOADERS = ["nanxi.demo", "buildings.demo", "projects.demo"]


class Command(BaseCommand):
    help = "Load the Nanxi 2020 demo data and demo accounts (safe to run twice)."

    def handle(self, *args, **options):
        for dotted in LOADERS:
            self.stdout.write(f"{dotted}:")
            import_module(dotted).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        for account in demo.ACCOUNTS:
            role = "superuser" if account.superuser else account.role
            self.stdout.write(f"  {account.email:<30} {account.password:<18} {role}")
