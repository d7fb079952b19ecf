"""The language of the site: the switch keeps the page (it goes back to the address it was
sent from, query and all) and remembers the choice on the person, and log-in applies the
person's language (``Person.language``). Numbers and dates follow the language
(``dxscore.web.l10n``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import translation
from django.utils.translation import check_for_language
from django.views import i18n
from django.views.decorators.http import require_POST

from dxscore.web.orgs.models import Person


def _known(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES) and check_for_language(code)


def _remember(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request):
    """Django's switch (the cookie, back to ``next`` if it is an address of this site,
    else to the page it was sent from), and the choice stored on the person."""
    response = i18n.set_language(request)
    code = request.POST.get("language")
    if _known(code) and request.user.is_authenticated:
        Person.objects.filter(user=request.user).update(language=code)
    return response


class LoginView(auth_views.LoginView):
    """Django's log-in; then the person's stored language is the site's."""

    def form_valid(self, form):
        response = super().form_valid(form)
        person = Person.objects.filter(user=form.get_user()).only("language").first()
        code = person.language if person else ""
        if _known(code):
            translation.activate(code)
            self.request.LANGUAGE_CODE = code
            _remember(response, code)
        return response


class ApiLanguageMiddleware:
    """Under ``/api/v1/``, a ``lang`` query parameter chooses the language of the answer
    (names of nodes, pillars, regions, messages); without it the request's
    ``Accept-Language`` decides, as Django's ``LocaleMiddleware`` reads it. A language
    the site does not speak is refused (400) rather than answered in another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from dxscore.web.api.problems import API_PREFIX, response

        code = request.GET.get("lang") if request.path.startswith(API_PREFIX) else None
        if code is None:
            return self.get_response(request)
        if not _known(code):
            known = ", ".join(c for c, _n in settings.LANGUAGES)
            return response(
                request,
                400,
                translation.gettext("Unknown language"),
                translation.gettext("'%(code)s' is not a language of this site (%(known)s)")
                % {"code": code[:20], "known": known},
                errors=[{"loc": ["query", "lang"], "msg": f"one of {known}"}],
            )
        translation.activate(code)
        request.LANGUAGE_CODE = code
        answer = self.get_response(request)
        answer.headers.setdefault("Content-Language", code)
        return answer
