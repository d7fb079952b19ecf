"""Static files as `dxscore serve` serves them: hashed names, gzip, a year's cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, django
django.setup()
from django.templatetags.static import static
from django.test import Client
from dxscore.cli.web import collect_static
collect_static()
url = static("dashboards/vendor/plotly.min.js")
client = Client()
zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
plain = client.get(url)
size = lambda r: sum(len(c) for c in r.streaming_content)
print(json.dumps({
    "url": url,
    "css": static("dxscore/site.css"),
    "status": zipped.status_code,
    "encoding": zipped.headers.get("Content-Encoding"),
    "cache": zipped.headers.get("Cache-Control"),
    "zipped": size(zipped),
    "plain": size(plain),
}))
"""


@pytest.mark.slow
def test_collected_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    env = {
        **os.environ,
        "DXSCORE_HOME": str(tmp_path),
        "DXSCORE_STATIC_COLLECTED": "1",
        "DJANGO_SETTINGS_MODULE": "dxscore.web.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["url"].startswith("/static/dashboards/vendor/plotly.min.")
    assert found["url"] != "/static/dashboards/vendor/plotly.min.js"  # a hashed name
    assert found["css"] != "/static/dxscore/site.css"
    assert found["status"] == 200 and found["encoding"] == "gzip"
    assert "immutable" in found["cache"] and "max-age=315360000" in found["cache"]
    assert found["zipped"] < found["plain"] / 3  # 4.8 MB of JavaScript goes as about 1.4 MB
    assert (tmp_path / "static" / "collected-for").read_text().startswith("0.")


def test_a_changed_style_sheet_is_collected_again_without_a_new_version(tmp_path, monkeypatch):
    """The stamp of the collected files holds a digest of dxscore's own static files, so a
    checkout updated without a new version number does not serve stale styles."""
    import dxscore
    from dxscore.cli import web

    package = tmp_path / "dxscore"
    sheet = package / "web" / "static" / "dxscore" / "site.css"
    sheet.parent.mkdir(parents=True)
    sheet.write_text("main { padding: 1rem; }")
    monkeypatch.setattr(dxscore, "__file__", str(package / "__init__.py"))
    before = web._static_version()
    assert web._static_version() == before  # the same files: nothing to collect
    sheet.write_text("main { padding: .5rem; }")
    after = web._static_version()
    assert after != before and after.split()[0] == before.split()[0]  # same version number
