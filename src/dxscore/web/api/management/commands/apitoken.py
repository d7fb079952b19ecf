"""``python -m django apitoken USER [--name N] [--days D]``: make an API token for a person
from the command line (for scripts and set-up); prints the token, once.
``--list`` shows a person's tokens, ``--revoke PREFIX`` revokes one."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dxscore.web.api import tokens
from dxscore.web.api.models import ApiToken
from dxscore.web.orgs import scope


class Command(BaseCommand):
    help = "Make, list or revoke a person's API tokens."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument(
            "--days", type=int, default=None, help="Valid for; default: until revoked."
        )
        parser.add_argument(
            "--list", dest="show", action="store_true", help="List the person's tokens."
        )
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the token with this prefix.")

    def handle(self, username, name, days, show, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user '{username}'")
        if show:
            for t in ApiToken.objects.filter(user=user):
                state = "revoked" if t.revoked_at else ("active" if t.active else "expired")
                self.stdout.write(f"dxs_{t.prefix}_...  {t.name}  {state}")
            return
        if revoke:
            token = ApiToken.objects.filter(user=user, prefix=revoke).first()
            if token is None:
                raise CommandError(f"{username} has no token with prefix '{revoke}'")
            tokens.revoke(token)
            self.stdout.write(f"revoked dxs_{token.prefix}_...")
            return
        if scope.role_of(user) is None:
            raise CommandError(f"'{username}' has no role: give them one first")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        _token, text = tokens.issue(user, name, expires)
        self.stdout.write(text)
