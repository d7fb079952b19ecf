"""The API object: authentication, rate limits, the JSON parser, the error format and the
OpenAPI document (``/api/v1/openapi.json``), with Swagger UI served from the installed
django-ninja package (``/api/v1/docs``), never from a CDN."""

from __future__ import annotations

import json

from csp.decorators import csp_update
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.parser import Parser

from dxscore import __version__
from dxscore.web.api import problems
from dxscore.web.api.auth import TokenAuth, TokenThrottle
from dxscore.web.api.endpoints import (
    assessments,
    assistant,
    contests,
    dossiers,
    inspections,
    measures,
    plans,
    reference,
    runs,
    values,
)

DESCRIPTION = """\
The dxscore JSON API: units, periods, indicators and methodologies; indicator values
(batch upsert through the approval workflow); dossier records (batches of up to 10,000);
the public-service measures computed from them, per unit and per procedure;
score runs and their results; resolutions, targets, tasks and progress reports;
inspections, their recommendations (computed status) and figures, and implementation
reports; contests' rankings and participation per unit (for their organisers).
reports; the figures of self-assessments and surveys.

Authenticate with a personal API token (made in the site under **API tokens**):
`Authorization: Bearer dxs_...`. A token sees and changes exactly what its person may.
Errors are problem details (RFC 9457, `application/problem+json`) with one entry per bad
field in `errors`. Lists are pages: `limit` (at most 1000) and `offset`, with `count`
and the address of the `next` page.
"""

# error answers every operation may give, documented once
COMMON_ERRORS = {
    "400": "Malformed JSON, or text with a NUL character.",
    "401": "No valid API token.",
    "413": "The body is too large.",
    "422": "The request breaks a rule; see errors.",
    "429": "This token's rate limit is reached; see Retry-After.",
}
WRITE_ERRORS = {
    "403": "Out of your scope or role.",
    "409": "The content is fine but the state forbids it (locked, published).",
    "503": "Busy: retry after Retry-After seconds.",
}


class StrictJSON(Parser):
    """JSON without NaN or Infinity (which are not JSON) and without NUL characters
    (which no database column takes); either answers 400."""

    def parse_body(self, request):
        body = request.body
        data = json.loads(body, parse_constant=_reject_constant)
        if b"\\u0000" in body and _has_nul(data):
            raise ValueError("NUL character in text")
        return data


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _has_nul(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_nul(v) for v in data)
    return False


class DxscoreAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_problems(schema)


def document_problems(schema: dict) -> dict:
    """Every error answer of every operation is ``application/problem+json``, with the
    ApiProblem schema; the errors any operation can give are listed on each."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = problems.ProblemDocument.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    field_error = schemas["Problem"].pop("$defs", {}).get("FieldError")
    if field_error:
        schemas["FieldError"] = field_error
    content = {problems.MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            for status in list(answers):
                if int(status) >= 400:
                    answers[status]["content"] = content
            extra = dict(COMMON_ERRORS)
            if method != "get":
                extra.update(WRITE_ERRORS)
            if "{" in path:
                extra["404"] = "No such resource in your scope."
            for status, text in extra.items():
                answers.setdefault(status, {"description": text, "content": content})
    return schema


api = DxscoreAPI(
    title="dxscore API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[TokenThrottle()],
    parser=StrictJSON(),
    docs=Swagger(settings={"validatorUrl": None}),  # no online validator; token not kept
    # Swagger UI's stylesheet draws its icons as data: SVG images: allowed on that page only
    docs_decorator=csp_update({"img-src": ["data:"]}),
    openapi_extra={"info": {"version": __version__}},
)
problems.install(api)
api.add_router("", reference.router)
api.add_router("", values.router)
api.add_router("", dossiers.router)
api.add_router("", measures.router)
api.add_router("", runs.router)
api.add_router("", plans.router)
api.add_router("", assistant.router)
api.add_router("", inspections.router)
api.add_router("", contests.router)
api.add_router("", assessments.router)
