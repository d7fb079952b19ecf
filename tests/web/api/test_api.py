"""The JSON API's front door: tokens (made and revoked in the site, stored as hashes), who
they let in, rate limits, the one error format, the OpenAPI document and offline docs,
and reference data seen through the person's scope.

The ``api`` fixture here is shared by the other ``test_api_*`` modules."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dxscore.web.api import tokens
from dxscore.web.api.models import ApiToken
from dxscore.web.data.models import Value
from tests.web.support import PROBLEM, problem

# --- tokens in the site -------------------------------------------------------------------


def test_a_person_creates_a_token_in_the_site_and_sees_it_once(as_user, people):
    client = as_user("owner")
    page = client.post(reverse("api_tokens"), {"name": "one-stop-shop sync", "days": ""})
    assert page.status_code == 200
    text = page.content.decode()
    shown = re.search(r"dxs_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", text).group(0)
    stored = ApiToken.objects.get(user=people["owner"])
    assert stored.name == "one-stop-shop sync"
    assert stored.digest == tokens.digest(shown) and shown not in stored.digest
    assert shown.split("_")[1] == stored.prefix
    # the list afterwards shows the prefix only, never the secret again
    again = client.get(reverse("api_tokens")).content.decode()
    assert f"dxs_{stored.prefix}_" in again and shown not in again
    # the token works at once and acts as its person
    units = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {shown}").json()
    assert [u["code"] for u in units["items"]] == ["256"]


def test_a_revoked_token_is_refused(as_user, api, people):
    token = api.token("owner")
    assert api.get("units", token=token).status_code == 200
    client = as_user("owner")
    stored = ApiToken.objects.get(user=people["owner"])
    client.post(reverse("api_token_revoke", args=[stored.pk]))
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    body = problem(api.get("units", token=token), 401)
    assert body["type"] == "urn:dxscore:problem:unauthorised"


def test_nobody_revokes_someone_elses_token(as_user, people):
    token, _text = tokens.issue(people["owner"], "mine")
    answer = as_user("colleague").post(reverse("api_token_revoke", args=[token.pk]))
    assert answer.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_tokens_and_deactivated_people_are_refused(api, people):
    expired, text = tokens.issue(people["owner"], "old", timezone.now())
    problem(api.get("units", token=text), 401)
    _t, colleague = tokens.issue(people["colleague"], "x")
    assert api.get("units", token=colleague).status_code == 200
    people["colleague"].is_active = False
    people["colleague"].save()
    problem(api.get("units", token=colleague), 401)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer dxs_00000000_" + "a" * 43],
)
def test_requests_without_a_valid_token_get_401_with_a_challenge(api, client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = client.get("/api/v1/units", **extra)
    problem(answer, 401)
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_a_right_prefix_and_a_wrong_secret_is_refused(api, people):
    _t, text = tokens.issue(people["owner"], "real")
    forged = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    problem(api.get("units", token=forged), 401)


# --- scope --------------------------------------------------------------------------------


def test_units_are_those_of_the_persons_viewing_scope(api):
    def codes(who, **params):
        return [u["code"] for u in api.get("units", who, **params).json()["items"]]

    assert codes("owner") == ["256"]
    assert codes("colleague") == ["27", "256", "257"]
    assert codes("outsider") == ["15", "80"]
    assert set(codes("admin")) == {"VN", "27", "256", "257", "15", "80"}
    assert codes("admin", under="27") == ["27", "256", "257"]
    assert codes("admin", level="district") == ["256", "257", "80"]
    assert codes("colleague", q="Từ") == ["257"]


def test_a_unit_out_of_scope_is_not_found_and_a_filter_on_it_is_refused(api):
    problem(api.get("units/256", "outsider"), 404)
    assert api.get("units/256", "colleague").json()["parent"] == "27"
    body = problem(api.get("units", "outsider", under="27"), 422)
    assert body["errors"][0]["location"] == "query" and body["errors"][0]["field"] == "under"


def test_a_batch_of_values_out_of_scope_stores_nothing(api, methodology, periods):
    body = {
        "methodology": "test-districts",
        "items": [
            {"unit": "80", "indicator": "online", "period": "2024", "value": 50},
            {"unit": "256", "indicator": "online", "period": "2024", "value": 60},
        ],
    }
    answer = problem(api.post("values", body, "outsider"), 403)
    assert answer["errors"] == [
        {
            "location": "body",
            "pointer": "/items/1/unit",
            "index": 1,
            "field": "unit",
            "detail": "you may not enter values for TP. Bắc Ninh (256)",
        }
    ]
    assert not Value.objects.exists()


def test_a_viewer_token_reads_but_cannot_write(api, org, methodology, periods):
    from dxscore.web.orgs.models import Role
    from tests.web.support import make_person

    api.people["viewer"] = make_person("viewer", Role.VIEWER, None, org.bac_ninh)
    assert api.get("units", "viewer").json()["count"] == 3
    body = {
        "methodology": "test-districts",
        "items": [{"unit": "256", "indicator": "online", "period": "2024", "value": 5}],
    }
    problem(api.post("values", body, "viewer"), 403)


# --- errors ---------------------------------------------------------------------------------


def test_malformed_json_is_a_400_problem(api, methodology):
    body = problem(
        api.post("values", '{"methodology": "test-districts", "items": [', raw=True), 400
    )
    assert body["type"] == "urn:dxscore:problem:malformed-json"


@pytest.mark.parametrize(
    "raw",
    [
        '{"methodology": "test-districts", "items": [{"unit": "256", "indicator": "online",'
        ' "period": "2024", "value": NaN}]}',
        '{"methodology": "test-\\u0000districts", "items": []}',
        b"\xff\xfe not utf-8",
    ],
)
def test_nan_nul_characters_and_bad_encodings_are_malformed(api, methodology, raw):
    problem(api.post("values", raw, raw=True), 400)


def test_an_oversized_body_is_a_413_problem(api, settings, methodology):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    items = [{"unit": "256", "indicator": "online", "period": "2024", "value": 1}] * 50
    body = problem(api.post("values", {"methodology": "test-districts", "items": items}), 413)
    assert body["type"] == "urn:dxscore:problem:too-large"
    assert "1000 bytes" in body["detail"]


def test_schema_errors_name_the_item_and_field(api, methodology):
    body = {
        "methodology": "test-districts",
        "items": [
            {"unit": "256", "indicator": "online", "period": "2024", "value": 1},
            {"unit": "256", "indicator": "online", "value": "lots", "colour": "red"},
        ],
    }
    errors = problem(api.post("values", body), 422)["errors"]
    by_field = {e["field"]: e for e in errors}
    assert set(by_field) == {"period", "value", "colour"}
    assert by_field["value"]["pointer"] == "/items/1/value"
    assert all(e["index"] == 1 for e in errors)


def test_a_bad_query_parameter_is_a_field_error(api):
    errors = problem(api.get("units", limit=0), 422)["errors"]
    assert errors[0]["location"] == "query" and errors[0]["field"] == "limit"


def test_unknown_addresses_and_wrong_methods_are_problems_too(api):
    problem(api.get("no-such-thing"), 404)
    answer = api.client.delete("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {api.token('owner')}")
    problem(answer, 405)


def test_each_token_has_its_own_rate_limit(api, settings):
    settings.DXSCORE_API_RATE = "3/min"
    for _i in range(3):
        assert api.get("periods", "owner").status_code == 200
    answer = api.get("periods", "owner")
    body = problem(answer, 429)
    assert body["type"] == "urn:dxscore:problem:rate-limited"
    assert 1 <= int(answer["Retry-After"]) <= 60
    assert api.get("periods", "colleague").status_code == 200


# --- the OpenAPI document and the docs page -------------------------------------------------


def test_the_openapi_document_describes_every_error_as_a_problem(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/dossiers" in doc["paths"] and "/api/v1/values" in doc["paths"]
    post = doc["paths"]["/api/v1/values"]["post"]
    for status in ("400", "401", "403", "409", "413", "422", "429"):
        assert list(post["responses"][status]["content"]) == [PROBLEM]
    assert doc["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_swagger_ui_from_this_site_not_a_cdn(client, db):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert '"validatorUrl": null' in html  # no call to the online validator either
    for source in sources:
        if source.startswith("/static/"):
            asset = client.get(source)
            assert asset.status_code == 200, source
            assert b"".join(asset.streaming_content if asset.streaming else [asset.content])


# --- reference data ---------------------------------------------------------------------------


def test_periods_methodologies_and_indicators_are_listed(api, methodology, periods):
    assert [p["code"] for p in api.get("periods").json()["items"]] == ["2024", "2023"]
    assert api.get("periods/2024").json()["deadline"] == "2025-03-31"
    problem(api.get("periods/1999"), 404)
    found = api.get("methodologies", code="test-districts").json()["items"]
    assert len(found) == 1 and found[0]["purpose"] == "district ranking"
    detail = api.get(f"methodologies/{found[0]['id']}").json()
    assert [i["code"] for i in detail["inputs"]] == ["online", "ontime"]
    assert detail["inputs"][0]["high"] == 100 and "tree:" in detail["text"]
    assert {"online", "ontime"} <= {i["code"] for i in api.get("indicators").json()["items"]}


def test_lists_are_pages_with_a_next_address(api):
    first = api.get("units", "admin", limit=4).json()
    assert first["count"] == 6 and len(first["items"]) == 4
    assert "offset=4" in first["next"] and "limit=4" in first["next"]
    rest = api.client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {api.token('admin')}")
    second = rest.json()
    assert len(second["items"]) == 2 and second["next"] is None
    codes = [u["code"] for u in first["items"] + second["items"]]
    assert len(set(codes)) == 6


def test_tokens_can_be_made_listed_and_revoked_from_the_command_line(api, people):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("apitoken", "owner", "--name", "nightly sync", "--days", "30", stdout=out)
    text = out.getvalue().strip()
    assert api.get("units", token=text).status_code == 200
    stored = ApiToken.objects.get(user=people["owner"])
    assert stored.name == "nightly sync" and stored.expires_at is not None
    listing = io.StringIO()
    call_command("apitoken", "owner", "--list", stdout=listing)
    assert f"dxs_{stored.prefix}_...  nightly sync  active" in listing.getvalue()
    call_command("apitoken", "owner", "--revoke", stored.prefix, stdout=io.StringIO())
    problem(api.get("units", token=text), 401)
    with pytest.raises(CommandError):
        call_command("apitoken", "nobody", stdout=io.StringIO())


def test_administrators_revoke_tokens_in_set_up_and_never_see_the_secret(as_user, people):
    token, text = tokens.issue(people["owner"], "warehouse")
    client = as_user("admin")
    listing = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "warehouse" in listing and text not in listing and token.digest not in listing
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
