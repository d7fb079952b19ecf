"""The data the browser test starts from (kept apart so that module stays readable)."""

from __future__ import annotations
