"""Writing tables to files, chosen by extension, atomically.

One place for every command that writes ``--out FILE``: the file appears complete or
not at all (a temporary file in the same folder is renamed over the target).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

FORMATS = (".csv", ".xlsx", ".parquet", ".json")


class OutputError(ValueError):
    pass


def write_table(frame: pd.DataFrame, path: str | Path, sheet: str = "data") -> Path:
    """Write ``frame`` as CSV, XLSX, Parquet or JSON (records), by the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"{path}: unsupported output type '{suffix}' (use {', '.join(FORMATS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        elif suffix == ".xlsx":
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                frame.to_excel(writer, sheet_name=sheet[:31], index=False)
                sheet_obj = writer.sheets[sheet[:31]]
                sheet_obj.freeze_panes = "A2"
                for i, col in enumerate(frame.columns, start=1):
                    width = max(len(str(col)), *(len(str(v)) for v in frame[col].head(200)), 4)
                    sheet_obj.column_dimensions[sheet_obj.cell(1, i).column_letter].width = min(
                        width + 2, 60
                    )
        elif suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_json(tmp, orient="records", force_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
