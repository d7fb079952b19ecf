"""Run inputs name their period: a run reads earlier periods' values too when its
methodology imputes over time or pools normalisation. Existing inputs are of their run's
period."""

import django.db.models.deletion
from django.db import migrations, models


def fill_period(apps, schema_editor):
    RunInput = apps.get_model("scores", "RunInput")
    ScoreRun = apps.get_model("scores", "ScoreRun")
    for run_id, period_id in ScoreRun.objects.values_list("pk", "period_id"):
        RunInput.objects.filter(run_id=run_id).update(period_id=period_id)


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0002_upload_unchanged"),
        ("scores", "0002_unit_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="runinput",
            name="period",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="data.period",
            ),
        ),
        migrations.RunPython(fill_period, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="runinput",
            name="period",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="data.period"
            ),
        ),
    ]
