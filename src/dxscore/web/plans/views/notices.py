"""A person's notices: due-soon and overdue tasks (``dxscore notify``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from dxscore.web.plans.models import Notice


@login_required
def notice_list(request):
    if request.method == "POST":
        Notice.objects.filter(user=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("plans:notices")
    from dxscore.web import work

    notices = Notice.objects.filter(user=request.user).select_related("task", "task__owner")
    items = work.waiting(request.user)
    return render(
        request,
        "plans/notices.html",
        {
            "notices": notices[:200],
            "work": [i for i in items if i.actionable],
            "news": [i for i in items if not i.actionable],
        },
    )
