"""Units become a code *and* a validity (``key``), and their lineage a table of flows
(``UnitChange``) instead of a bare list of predecessors."""

import datetime as dt

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    Unit = apps.get_model("orgs", "Unit")
    for unit in Unit.objects.all().only("pk", "code", "valid_from"):
        key = unit.code if unit.valid_from is None else f"{unit.code}@{unit.valid_from}"
        Unit.objects.filter(pk=unit.pk).update(key=key)


def predecessors_to_changes(apps, schema_editor):
    Unit = apps.get_model("orgs", "Unit")
    UnitChange = apps.get_model("orgs", "UnitChange")
    for target in Unit.objects.filter(predecessors__isnull=False).distinct():
        sources = list(target.predecessors.all())
        for source in sources:
            day = target.valid_from or (
                source.valid_to + dt.timedelta(days=1) if source.valid_to else None
            )
            if day is None:
                continue  # no date to put the change on: a list of names only
            UnitChange.objects.get_or_create(
                date=day,
                source=source,
                target=target,
                defaults={"kind": "merge" if len(sources) > 1 else "rename", "share": 1.0},
            )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="key",
            field=models.CharField(editable=False, max_length=52, null=True),
        ),
        migrations.AddField(
            model_name="unit",
            name="updated",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="unit",
            name="key",
            field=models.CharField(editable=False, max_length=52, unique=True),
        ),
        migrations.CreateModel(
            name="UnitChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="effective date")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("merge", "merge"),
                            ("split", "split"),
                            ("transfer", "transfer of a part"),
                            ("rename", "rename"),
                            ("reparent", "move to another parent"),
                            ("abolish", "abolition"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("share", models.FloatField(default=1.0, verbose_name="share")),
                ("continues", models.BooleanField(default=False)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outflows",
                        to="orgs.unit",
                        verbose_name="from unit",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inflows",
                        to="orgs.unit",
                        verbose_name="to unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "unit change",
                "verbose_name_plural": "unit changes",
                "ordering": ["date", "source__code", "target__code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("date", "source", "target"), name="one_flow_a_day"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("share__gte", 0), ("share__lte", 1)),
                        name="share_between_0_and_1",
                    ),
                ],
            },
        ),
        migrations.RunPython(predecessors_to_changes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="unit", name="predecessors"),
        migrations.AlterField(
            model_name="unit",
            name="code",
            field=models.CharField(
                db_index=True,
                max_length=40,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$",
                        "Use letters, digits, '.', '_' or '-', starting with a letter or digit.",
                    )
                ],
                verbose_name="code",
            ),
        ),
    ]
