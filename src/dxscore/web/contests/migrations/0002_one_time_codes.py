"""One-time codes move to the shared ``web/confirm.py``: the digest is now keyed by the
row (``salted_hmac`` over the row's id and the code), so codes pending at the upgrade
cannot be checked any more: ``confirm.expire_pending`` expires them here (their
holders ask for a new one)."""

import django.utils.timezone
from django.db import migrations, models

from dxscore.web.confirm import expire_pending


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
        migrations.RunPython(expire_pending("contests", "OneTimeCode"), migrations.RunPython.noop),
    ]
