"""The site's pages for API tokens: list yours, create one (shown once), revoke one."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dxscore.web.api import tokens
from dxscore.web.api.models import ApiToken
from dxscore.web.orgs import scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. 'one-stop-shop sync'."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=gettext_lazy("Empty: until revoked."),
    )


@never_cache
@login_required
def token_list(request):
    """Your tokens, and a form for a new one. A new token is shown on this page once."""
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST":
        if scope.role_of(request.user) is None:
            messages.error(request, _("Your account has no role: ask an administrator."))
        elif form.is_valid():
            days = form.cleaned_data["days"]
            expires = timezone.now() + dt.timedelta(days=days) if days else None
            token, created = tokens.issue(request.user, form.cleaned_data["name"], expires)
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke(token)
    messages.success(request, _("Token %(t)s is revoked.") % {"t": token})
    return redirect("api_tokens")
