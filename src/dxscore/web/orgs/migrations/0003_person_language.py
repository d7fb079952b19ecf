"""A person's chosen language of the site (``dxscore.web.language``), applied at log-in."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_unit_lineage")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="language",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The language of the site for this person, applied at log-in.",
                max_length=16,
                verbose_name="language",
            ),
        ),
    ]
