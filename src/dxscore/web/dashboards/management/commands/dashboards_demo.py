"""Fill the workspace with the demo DTI of 63 provinces, 2020-2024, as published runs:
``DXSCORE_HOME=... python -m django dashboards_demo --settings=dxscore.web.settings``.
The values are synthetic, calibrated to published facts (docs/demo-data.md); every page
that shows them says so."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dxscore.web.data.methodologies import ensure_builtins
from dxscore.web.scores.models import ScoreRun


class Command(BaseCommand):
    help = "Publish the demo DTI (63 provinces, 2020-2024) for the dashboards."

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", default="demo-admin", help="administrator who computes and publishes the runs"
        )

    def handle(self, *args, **options):
        from dxscore.web.dashboards.sample import demo_dti

        call_command("migrate", interactive=False, verbosity=0)
        ensure_builtins()
        if ScoreRun.objects.filter(methodology__code__startswith="vn-dti-").exists():
            raise CommandError("the workspace already has DTI runs; use a fresh DXSCORE_HOME")
        User = get_user_model()
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            user = User.objects.create_user(options["user"], is_superuser=True, is_staff=True)
            user.set_unusable_password()
            user.save()
        elif not user.is_superuser:
            raise CommandError(f"{user} is not an administrator")
        runs = demo_dti(user)
        for run in runs:
            self.stdout.write(f"published {run} (id {run.pk})")
        self.stdout.write("open /public/vn-dti-2022/2022/")
