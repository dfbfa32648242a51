from django.core.management.base import BaseCommand

from citygrid.orgs.mirror import ensure_units


class Command(BaseCommand):
    help = "Create the teams-tree units and members mirroring regions, departments, grid workers"

    def handle(self, *args, **options):
        written = ensure_units()
        self.stdout.write(f"{written} rows written")
