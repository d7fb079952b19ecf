"""Plotly's JavaScript comes from the installed ``plotly`` package, never from a CDN: this
finder serves the package's bundled ``plotly.min.js`` as the static file
``dashboards/vendor/plotly.min.js`` (whitenoise and ``collectstatic`` both use finders)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "dashboards/vendor"
FILES = {"plotly.min.js"}


def plotly_dir() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(plotly_dir()))
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        name = path.removeprefix(PREFIX + "/")
        if name in FILES and path.startswith(PREFIX + "/"):
            found = str(plotly_dir() / name)
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        for name in sorted(FILES):
            yield name, self.storage
