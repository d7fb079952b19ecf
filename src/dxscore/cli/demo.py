"""``dxscore demo``: the demo data set, and what it shows.

Until the web demo workspace exists, the demo computes the DTI of all 63 provinces from
the demo data (published facts plus calibrated synthetic values, ``dxscore.demo.dti``)
and prints a year's ranking.
"""

from __future__ import annotations

from pathlib import Path

import typer

from dxscore import index as ix
from dxscore.cli.index import _print_ranking, _user_errors, out
from dxscore.tables import write_table

NOTE = (
    "[bold]Demo data.[/] Published facts: the 2022 rank order of all 63 provinces (with the "
    "tie at 15th), the five published 2022 rows, the yearly averages 2020-2024, the 2024 "
    "pillar averages and the stated ranks of Long An, Lạng Sơn, Bắc Ninh, Hà Nội and Đà "
    "Nẵng. [bold]Every other value is synthetic[/], calibrated so that those facts hold; "
    "it is not any province's real value."
)


def demo(
    year: str = typer.Option("2022", "--year", help="Year to rank (2020-2024)."),
    out_dir: Path = typer.Option(
        None, "--out", help="Write the demo data sets (CSV) to this folder instead."
    ),
) -> None:
    """Compute the DTI of all 63 provinces on the demo data and print a ranking."""
    from dxscore.demo.dti import build

    data = build()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_table(data.pillars_2020, out_dir / "dti-2020.csv")
        write_table(data.main_2021_2024, out_dir / "dti-2021-2024.csv")
        write_table(data.published, out_dir / "published-rows.csv")
        out.print(f"wrote dti-2020.csv, dti-2021-2024.csv, published-rows.csv to {out_dir}")
        return
    if year == "2020":
        mid, frame = "vn-dti-2020", data.pillars_2020
    elif year in ("2021", "2022", "2023", "2024"):
        mid, frame = "vn-dti-2022", data.main_2021_2024
    else:
        out.print(f"[red]error:[/] no demo data for {year} (2020-2024)")
        raise typer.Exit(1)
    with _user_errors():
        m = ix.load(mid)
        result = ix.compute(m, ix.dataset_from_frame(frame.astype(object), m, source="demo"))
    out.print(NOTE)
    _print_ranking(result, year)
    out.print(
        "Next: dxscore demo --out demo-data, then for example\n"
        "  dxscore index explain vn-dti-2022 demo-data/dti-2021-2024.csv --unit 20 --period 2023\n"
        "  dxscore index levers vn-dti-2022 demo-data/dti-2021-2024.csv --unit 20 --period 2022"
        " --target-rank 3\n"
        "  dxscore index sensitivity vn-dti-2022 demo-data/dti-2021-2024.csv --period 2022"
        " --weights-noise 0.2 --plot ranks.png"
    )
