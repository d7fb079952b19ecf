"""One-time codes move to the shared ``web/confirm.py`` (``code_hash`` -> ``digest``,
``attempts`` -> ``tries``): the digest is now keyed by the row (``salted_hmac`` over the
row's id and the code), so codes pending at the upgrade cannot be checked any more and
are expired here (their holders ask for a new one)."""

import django.utils.timezone
from django.db import migrations, models

from dxscore.web.confirm import expire_pending


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="confirmation", old_name="attempts", new_name="tries"),
        migrations.RenameField(model_name="confirmation", old_name="code_hash", new_name="digest"),
        migrations.AlterField(
            model_name="confirmation",
            name="digest",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="confirmation",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(
            expire_pending("assessments", "Confirmation"), migrations.RunPython.noop
        ),
    ]
