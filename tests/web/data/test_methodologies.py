"""Methodology versions: uploads validated by the engine, versions kept, one active."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dxscore.web.data.models import Indicator, Methodology
from tests.web.support import DISTRICT_YAML


def _upload(client, text, name="m.yaml", purpose=""):
    return client.post(
        reverse("methodologies"),
        {"file": SimpleUploadedFile(name, text.encode()), "purpose": purpose},
    )


def test_a_valid_file_is_stored_with_its_digest_and_indicators(as_user):
    client = as_user("steering")
    response = _upload(client, DISTRICT_YAML, purpose="district ranking")
    stored = Methodology.objects.get(code="test-districts")
    assert response.status_code == 302
    assert response["Location"] == reverse("methodology", args=[stored.pk])
    assert stored.version == "1" and len(stored.digest) == 64
    assert stored.purpose == "district ranking" and not stored.active
    assert Indicator.objects.get(code="online").name == "Online dossiers"
    page = client.get(reverse("methodology", args=[stored.pk])).content.decode()
    assert "Share of dossiers filed online." in page and "[0.0, 100.0]" in page


def test_an_invalid_file_shows_every_problem_and_stores_nothing(as_user):
    broken = DISTRICT_YAML.replace("weight: 1\n", "weight: -1\n").replace(
        "weight: 2\n", "range: [5, 1]\n"
    )
    before = Methodology.objects.count()
    response = _upload(as_user("steering"), broken)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 problems" in page
    assert "tree &gt; index &gt; online &gt; range" in page
    assert "valid range must be [low, high] with low &lt;= high" in page
    assert "tree &gt; index &gt; ontime &gt; weight" in page
    assert Methodology.objects.count() == before


def test_not_yaml_at_all_is_rejected_with_the_line(as_user):
    response = _upload(as_user("steering"), "id: [unclosed\n")
    assert "invalid YAML" in response.content.decode()
    assert response.content.decode().count("line ") >= 1


def test_the_same_version_with_other_content_is_refused(as_user, methodology):
    changed = DISTRICT_YAML.replace("weight: 2", "weight: 3")
    response = _upload(as_user("steering"), changed)
    assert "raise the version" in response.content.decode()
    assert Methodology.objects.filter(code="test-districts").count() == 1


def test_activating_a_version_deactivates_the_other_of_the_same_purpose(as_user, methodology):
    client = as_user("steering")
    _upload(
        client, DISTRICT_YAML.replace('version: "1"', 'version: "2"'), purpose="district ranking"
    )
    v2 = Methodology.objects.get(code="test-districts", version="2")
    client.post(reverse("methodology_activate", args=[methodology.pk]))
    client.post(reverse("methodology_activate", args=[v2.pk]))
    methodology.refresh_from_db()
    v2.refresh_from_db()
    assert v2.active and not methodology.active
    # another purpose keeps its own active version
    assert Methodology.objects.get(code="vn-dti-2022").active


def test_data_officers_cannot_upload_or_activate(as_user, methodology):
    client = as_user("owner")
    assert _upload(client, DISTRICT_YAML.replace('"1"', '"9"')).status_code == 403
    assert client.post(reverse("methodology_activate", args=[methodology.pk])).status_code == 403
    assert not Methodology.objects.filter(version="9").exists()
