"""One error format for the whole API: problem details (RFC 9457), served as
``application/problem+json``.

Every error answer has ``type``, ``title``, ``status``, ``detail`` and ``instance``; errors
about the request's content add ``errors``, one per bad field, each with where it is
(``location``: body, query, path; ``pointer``: a JSON pointer into the body or the
parameter's name), the item ``index`` in a batch, the ``field`` and a ``detail``.
Handlers here turn every exception the API can meet into one; the middleware catches
what happens outside the API's views (unknown addresses, wrong methods, server errors).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from http import HTTPStatus

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/v1/"

# problem types beyond the plain HTTP statuses (``about:blank``); docs/api.md lists them
INVALID = "urn:dxscore:problem:invalid"  # the request's content breaks a rule (422)
CONFLICT = "urn:dxscore:problem:conflict"  # the content is fine but the state forbids it
MALFORMED = "urn:dxscore:problem:malformed-json"
NUL_CHARACTER = "urn:dxscore:problem:nul-character"
TOO_LARGE = "urn:dxscore:problem:too-large"
UNAUTHORISED = "urn:dxscore:problem:unauthorised"
FORBIDDEN = "urn:dxscore:problem:forbidden"
NOT_FOUND = "urn:dxscore:problem:not-found"
RATE_LIMITED = "urn:dxscore:problem:rate-limited"
BUSY = "urn:dxscore:problem:busy"
DISK_FULL = "urn:dxscore:problem:disk-full"


class FieldError(Schema):
    location: str = "body"
    pointer: str = ""
    index: int | None = None
    field: str | None = None
    detail: str


class ProblemDocument(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[FieldError] = []


@dataclass
class FieldProblem:
    """One bad field: ``index`` of the batch item (None outside batches)."""

    detail: str
    field: str | None = None
    index: int | None = None
    collection: str = "items"
    location: str = "body"

    def as_dict(self) -> dict:
        parts = [self.collection] if self.index is not None else []
        if self.index is not None:
            parts.append(str(self.index))
        if self.field:
            parts.append(self.field)
        pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
        return {
            "location": self.location,
            "pointer": pointer if parts else "",
            "index": self.index,
            "field": self.field,
            "detail": self.detail,
        }


@dataclass
class ApiProblem(Exception):
    """Raise anywhere in an API view to answer with this problem."""

    status: int
    title: str
    detail: str = ""
    type: str = "about:blank"
    errors: list[FieldProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def response(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    type: str = "about:blank",
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {
        "type": type,
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
        "errors": errors or [],
    }
    answer = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# --- exception handlers ----------------------------------------------------------------


def _problem(request, exc: ApiProblem, api=None) -> HttpResponse:
    return response(
        request,
        exc.status,
        exc.title,
        exc.detail,
        exc.type,
        [e.as_dict() for e in exc.errors],
        exc.headers,
    )


def validation_errors(errors: list[dict]) -> list[dict]:
    """ninja's (pydantic's) errors as field errors: ``("body", "payload", "items", 3,
    "value")`` becomes pointer ``/items/3/value``, index 3, field ``value``."""
    out = []
    for error in errors:
        loc = list(error.get("loc", ()))
        location = str(loc.pop(0)) if loc else "body"
        if location == "body" and loc:
            loc.pop(0)  # the view's parameter name
        index = next((p for p in loc if isinstance(p, int)), None)
        names = [p for p in loc if isinstance(p, str)]
        if location == "body":
            pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in loc)
        else:
            pointer = ".".join(str(p) for p in loc)
        out.append(
            {
                "location": location,
                "pointer": pointer if loc else "",
                "index": index,
                "field": names[-1] if names else None,
                "detail": error.get("msg", ""),
            }
        )
    return out


def _validation(request, exc: ValidationError, api=None) -> HttpResponse:
    return response(
        request,
        422,
        _("The request is not valid"),
        _("See errors: one entry per field."),
        INVALID,
        validation_errors(exc.errors),
    )


def _http_error(request, exc: HttpError, api=None) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return response(
            request,
            401,
            _("Unauthorised"),
            _(
                "Send a valid, unrevoked API token: 'Authorization: Bearer dxs_...'. "
                "Tokens are made in the site under 'API tokens'."
            ),
            UNAUTHORISED,
            headers={"WWW-Authenticate": 'Bearer realm="dxscore"'},
        )
    if isinstance(exc, Throttled):
        return response(
            request,
            429,
            _("Too many requests"),
            _("This token's rate limit is reached; wait and retry (see Retry-After)."),
            RATE_LIMITED,
        )
    if exc.status_code == 400 and "parse request body" in str(exc):
        return response(
            request,
            400,
            _("Malformed JSON"),
            _("The request body is not valid JSON (UTF-8)."),
            MALFORMED,
        )
    return response(request, exc.status_code, _phrase(exc.status_code), str(exc))


def _too_large(request, exc, api=None) -> HttpResponse:
    from django.conf import settings

    return response(
        request,
        413,
        _("Request body too large"),
        _("The body is larger than %(n)d bytes: send smaller batches.")
        % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        TOO_LARGE,
    )


def _not_found(request, exc, api=None) -> HttpResponse:
    detail = str(exc) if isinstance(exc, ApiProblem) else ""
    return response(request, 404, _("Not found"), detail or _("No such resource here."), NOT_FOUND)


def _forbidden(request, exc, api=None) -> HttpResponse:
    return response(
        request, 403, _("Forbidden"), str(exc) or _("Your scope does not allow this."), FORBIDDEN
    )


def _disk_full(request, exc, api=None) -> HttpResponse:
    from dxscore.web import diskfull

    diskfull.log_disk_full(request, exc)
    return response(request, 507, diskfull.title(), diskfull.detail(), DISK_FULL)


def _busy(request, exc, api=None) -> HttpResponse:
    """A locked or unreachable database; a full disk is said as such (507)."""
    from dxscore.web.diskfull import is_disk_full

    if is_disk_full(exc):
        return _disk_full(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.path, exc)
    return response(
        request,
        503,
        _("Busy"),
        _("The database is busy; retry shortly."),
        BUSY,
        headers={"Retry-After": "2"},
    )


def _server_error(request, exc: Exception, api=None) -> HttpResponse:
    from dxscore.web.diskfull import is_disk_full

    if is_disk_full(exc):  # writing a file (the dossier store, an upload) found no space
        return _disk_full(request, exc)
    log.exception("API error on %s %s", request.method, request.path)
    return response(request, 500, _("Server error"), _("Something went wrong on our side."))


def install(api) -> None:
    """Replace ninja's default error answers with problem details."""
    api.add_exception_handler(Exception, _server_error)
    api.add_exception_handler(ApiProblem, _problem)
    api.add_exception_handler(ValidationError, _validation)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(RequestDataTooBig, _too_large)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ObjectDoesNotExist, _not_found)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(OperationalError, _busy)  # locked or unreachable database


# --- answers made outside the API's views ------------------------------------------------


class ProblemMiddleware:
    """Under ``/api/v1/``, any error answer that is not already a problem document (an
    unknown address, a method the address does not take, a server error) becomes one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and _nul_in_address(request):
            return response(
                request,
                400,
                _("Bad request"),
                _("The address or its query has a NUL character."),
                NUL_CHARACTER,
            )
        answer = self.get_response(request)
        if (
            answer.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not answer.get("Content-Type", "").startswith(MEDIA_TYPE)
        ):
            status = answer.status_code
            headers = {k: answer[k] for k in ("Allow", "Retry-After") if answer.has_header(k)}
            types = {404: NOT_FOUND, 403: FORBIDDEN, 413: TOO_LARGE}
            details = {
                404: _("No such resource here."),
                405: _("This address does not take %(m)s.") % {"m": request.method},
            }
            return response(
                request,
                status,
                _phrase(status),
                details.get(status, ""),
                types.get(status, "about:blank"),
                headers=headers,
            )
        return answer


def _nul_in_address(request: HttpRequest) -> bool:
    """No database column takes a NUL character: refuse it before any query sees it."""
    if "\x00" in request.path:
        return True
    return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists())
