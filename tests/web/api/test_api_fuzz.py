"""Schemathesis against the API's own OpenAPI document: for every operation, generated
requests (valid and invalid) must never cause a server error, and every answer must match
the document (status code, content type, headers, body schema).

Bounded: a fixed number of examples per operation, derandomised, so the run takes well
under a few minutes and fails the same way every time. Runs in CI (marked slow)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dxscore.web.wsgi import application
from tests.web.support import approved

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 40


@pytest.fixture
def fuzz_schema(request, plan, api, people, org, methodology, periods):
    """A populated workspace (values, a published run, a resolution with targets and
    tasks, dossiers and their measures) so that reads return real items, and the API's
    document."""
    from dxscore.web.dossierdata.models import DossierMeasure, ProcedureMeasure
    from dxscore.web.dossierdata.worker import run_pending
    from dxscore.web.scores import runs

    approved(people, methodology, periods["2024"], org.d256, online=60, ontime=90)
    approved(people, methodology, periods["2024"], org.d257, online=30, ontime=60)
    run = runs.compute_run(people["steering"], methodology, periods["2024"])
    runs.publish(run, people["steering"])
    record = {
        "dossier_id": "HS-1",
        "unit": "256",
        "procedure": "1.001",
        "service_level": "full",
        "channel": "online",
        "received_at": "2024-07-01",
        "status": "in_progress",
    }
    assert api.post("dossiers", {"records": [record]}, "admin").status_code == 200
    run_pending()  # the measures of that record, per unit and per procedure
    assert ProcedureMeasure.objects.exists() and DossierMeasure.objects.exists()
    # Schemathesis calls the WSGI application directly: keep Django from closing the
    # test's database connection after each request (Django's test client does the
    # same), or with PostgreSQL the test's transaction would be gone after one call.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(lambda s=signal: s.connect(close_old_connections))
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_openapi_document(case, api):
    case.call_and_validate(headers={"Authorization": f"Bearer {api.token('admin')}"}, checks=CHECKS)
