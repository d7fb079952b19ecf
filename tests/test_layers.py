"""Imports point downward only (docs/architecture.md): the pure libraries import neither
Django nor the web platform, and the web apps never import the demo builder (the demo
imports them and leaves marks they read, ``dxscore.web.provenance``)."""

from __future__ import annotations

import ast
from pathlib import Path

import dxscore

SRC = Path(dxscore.__file__).parent
PURE = [
    "index",
    "dossiers",
    "plans",
    "inspections",
    "contests",
    "lineage",
    "assessments",
    "periods.py",
    "errors.py",
    "tables.py",
    "numbers.py",
    "texts.py",
    "figures.py",
]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _files(part: str) -> list[Path]:
    path = SRC / part
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


def test_the_pure_libraries_import_no_django_and_no_web_platform():
    wrong = [
        (str(f.relative_to(SRC)), name)
        for part in PURE
        for f in _files(part)
        for name in _imports(f)
        if name.split(".")[0] == "django" or name.startswith(("dxscore.web", "dxscore.demo"))
    ]
    assert wrong == []


def test_the_web_apps_never_import_the_demo():
    wrong = [
        (str(f.relative_to(SRC)), name)
        for f in _files("web")
        for name in _imports(f)
        if name.startswith("dxscore.demo")
    ]
    assert wrong == []
