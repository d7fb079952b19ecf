"""The command line starts without the heavy libraries: ``import dxscore.cli``, ``dxscore
--help`` and ``dxscore index list`` load none of them (each checked in a fresh
interpreter, where nothing else has imported them)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src"
HEAVY = ("pandas", "scipy", "ibis", "matplotlib", "duckdb", "django", "numpy", "pyarrow")

PROBE = """
import json, sys
sys.path.insert(0, {src!r})
{code}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _heavy_after(code: str) -> list[str]:
    script = PROBE.format(src=str(SRC), code=code, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _command(*args: str) -> str:
    return (
        "from typer.testing import CliRunner\n"
        "from dxscore.cli import app\n"
        f"result = CliRunner().invoke(app, {list(args)!r})\n"
        "assert result.exit_code == 0, result.output\n"
    )


def test_importing_the_cli_loads_no_heavy_library():
    assert _heavy_after("import dxscore.cli") == []


@pytest.mark.parametrize(
    "args", [["--help"], ["index", "--help"], ["index", "list"], ["dossiers", "--help"]]
)
def test_help_and_the_list_of_methodologies_load_no_heavy_library(args):
    assert _heavy_after(_command(*args)) == []


def test_a_computation_still_loads_what_it_needs():
    loaded = _heavy_after("from dxscore import index as ix\nix.compute")
    assert "numpy" in loaded and "pandas" in loaded


def test_the_cli_default_time_zone_is_the_schema_one():
    from dxscore.cli.dossiers import DEFAULT_TZ
    from dxscore.dossiers.schema import DEFAULT_TZ as SCHEMA_TZ

    assert DEFAULT_TZ == SCHEMA_TZ


def test_the_cli_lists_the_builtin_lineages_the_package_has():
    from dxscore import lineage as ln
    from dxscore.cli.units import _builtin_lineages

    assert _builtin_lineages() == ln.builtin_ids()
