"""One-time codes move to the shared ``web/confirm.py``: the digest is now keyed by the
row (``salted_hmac`` over the row's id and the code), so codes pending at the upgrade
cannot be checked any more and are expired here (their holders ask for a new one)."""

import django.utils.timezone
from django.db import migrations, models


def expire_pending(apps, schema_editor):
    now = django.utils.timezone.now()
    codes = apps.get_model("contests", "OneTimeCode")
    codes.objects.filter(used=False, expires_at__gt=now).update(expires_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="onetimecode",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="onetimecode",
            name="digest",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.RunPython(expire_pending, migrations.RunPython.noop),
    ]
