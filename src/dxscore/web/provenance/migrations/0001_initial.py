import json
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_old_marks(apps, schema_editor):
    """Demo runs were marked by a RunAnalysis row with key "notice", the demo workspace
    and its resolutions by the file demo-workspace.json in the workspace folder."""
    DemoMark = apps.get_model("provenance", "DemoMark")
    RunAnalysis = apps.get_model("dashboards", "RunAnalysis")
    for found in RunAnalysis.objects.filter(key="notice"):
        DemoMark.objects.create(kind="run", run_id=found.run_id, payload=found.payload)
    RunAnalysis.objects.filter(key="notice").delete()
    path = Path(getattr(settings, "HOME", ".")) / "demo-workspace.json"
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for code in marker.pop("demo_resolutions", ["49-NQ/TU"]):
        DemoMark.objects.create(kind="resolution", resolution=code)
    DemoMark.objects.create(kind="workspace", payload=marker)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("scores", "0005_run_coverage"),
        ("dashboards", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DemoMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("workspace", "workspace"),
                            ("run", "score run"),
                            ("resolution", "resolution"),
                        ],
                        max_length=12,
                    ),
                ),
                ("resolution", models.CharField(blank=True, max_length=40)),
                ("payload", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scores.scorerun",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["kind", "resolution"], name="provenance__kind_1787a1_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("kind", "run")),
                        fields=("run",),
                        name="one_mark_per_run",
                    )
                ],
            },
        ),
        migrations.RunPython(carry_old_marks, migrations.RunPython.noop),
    ]
