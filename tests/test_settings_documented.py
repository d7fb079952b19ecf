"""Every setting the code reads (an environment variable ``DXSCORE_...``) is documented,
under that one name, in the settings table of ``docs/operations.md``."""

from __future__ import annotations

import re
from pathlib import Path

import dxscore

SRC = Path(dxscore.__file__).parent
DOCS = SRC.parents[1] / "docs" / "operations.md"
NAME = re.compile(r"[\"'](DXSCORE_[A-Z0-9_]+)[\"']")


def test_every_setting_read_is_documented():
    read = {
        name
        for path in SRC.rglob("*.py")
        for name in NAME.findall(path.read_text(encoding="utf-8"))
        if not name.endswith("_")  # a prefix that names are built from
    }
    assert len(read) > 30  # the scan finds the settings
    documented = set(re.findall(r"`(DXSCORE_[A-Z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    assert sorted(read - documented) == []
