"""The period's kind is called ``kind`` everywhere (``dxscore.periods``): the measures'
``grain`` column is renamed, with its indexes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossierdata", "0003_job_lease"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dossiermeasure", name="dossierdata_grain_b4b2ab_idx"),
        migrations.RemoveIndex(
            model_name="proceduremeasure", name="dossierdata_unit_id_3425e6_idx"
        ),
        migrations.RenameField(model_name="dossiermeasure", old_name="grain", new_name="kind"),
        migrations.RenameField(model_name="proceduremeasure", old_name="grain", new_name="kind"),
        migrations.AddIndex(
            model_name="dossiermeasure",
            index=models.Index(fields=["kind", "measure"], name="dossierdata_kind_60c915_idx"),
        ),
        migrations.AddIndex(
            model_name="proceduremeasure",
            index=models.Index(
                fields=["unit", "kind", "period"], name="dossierdata_unit_id_63d014_idx"
            ),
        ),
    ]
