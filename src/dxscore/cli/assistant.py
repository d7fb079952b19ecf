"""``dxscore assistant ...``: the procedure library of the civil servants' assistant.

- ``import FILE... --store DIR``: catalogues (CSV, XLSX, JSON) and documents (PDF, DOCX,
  HTML, TXT, MD); all files are checked first and nothing is stored if one is bad.
- ``ask "QUESTION" --store DIR [--json]``, or ``--questions FILE`` (one per line; one JSON
  object per line with ``--json``).
- ``eval --store DIR QUESTIONS.csv``: recall@1, recall@3, MRR, unanswerable questions
  declined, latency, per kind of question.
- ``purge [--days N]``: delete the site's declined questions and feedback older than
  ``DXSCORE_ASSISTANT_KEEP_DAYS`` (Django is imported inside the command only).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="The civil servants' assistant on administrative procedures (offline).",
    no_args_is_help=True,
)
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

DEFAULT_STORE = Path(
    os.environ.get("DXSCORE_ASSISTANT_STORE")
    or Path(os.environ.get("DXSCORE_HOME", "dxscore-data")) / "assistant"
)
StoreOpt = typer.Option(
    DEFAULT_STORE,
    "--store",
    help="Library folder (default: $DXSCORE_ASSISTANT_STORE, else $DXSCORE_HOME/assistant).",
)


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    raise typer.Exit(1)


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(..., help="Catalogue and document files."),
    store: Path = StoreOpt,
    mapping: Path | None = typer.Option(
        None, "--mapping", help="YAML mapping of catalogue columns: columns: {theirs: ours}."
    ),
    procedure: str | None = typer.Option(
        None, "--procedure", help="The procedure code of the documents (else from the file)."
    ),
    scope: str = typer.Option(
        "", "--scope", help="Internal documents: the unit code whose staff may read them."
    ),
) -> None:
    """Import catalogues and documents into the library (re-importing replaces)."""
    from dxscore.assistant import Library
    from dxscore.errors import Problems

    try:
        library = Library.open(store, create=True)
        done = library.import_files(files, mapping=mapping, procedure=procedure, scope=scope)
    except Problems as exc:
        _fail(exc)
        return
    out.print(
        f"{len(done.added)} procedure(s) added, {len(done.updated)} updated, "
        f"{len(done.documents)} document(s) with {done.passages} passage(s); "
        f"library now holds {len(library.procedures)} procedure(s) and "
        f"{len(library.documents)} document(s)",
        highlight=False,
    )
    for where, message in done.warnings:
        err.print(f"[yellow]warning:[/] {escape(where)}: {escape(message)}", highlight=False)


@app.command()
def ask(
    question: str | None = typer.Argument(None, help="The question."),
    store: Path = StoreOpt,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per question."),
    questions: Path | None = typer.Option(
        None, "--questions", help="A file with one question per line."
    ),
    k: int = typer.Option(3, "--top", min=1, max=20, help="How many procedures."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Confidence below which the answer is 'not found'."
    ),
) -> None:
    """Answer questions from the library."""
    from dxscore.assistant import Library
    from dxscore.errors import Problems

    if (question is None) == (questions is None):
        _fail(ValueError("give either a QUESTION or --questions FILE"))
    try:
        library = Library.open(store)
    except Problems as exc:
        _fail(exc)
        return
    if questions is not None:
        try:
            asked = [
                line.strip()
                for line in questions.read_text(encoding="utf-8-sig").splitlines()
                if line.strip()
            ]
        except (OSError, UnicodeDecodeError) as exc:
            _fail(exc)
            return
    else:
        asked = [question or ""]
    for q in asked:
        answer = library.ask(q, k=k, threshold=threshold)
        if as_json:
            sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
            continue
        out.print(f"[bold]{escape(q)}[/]", highlight=False)
        if not answer.found:
            out.print("  not found: no procedure in the library answers this well enough")
            continue
        for n, item in enumerate(answer.answers, 1):
            out.print(
                f"  {n}. {escape(item.title)} ({item.procedure}) score {item.score:.2f}",
                highlight=False,
            )
            out.print(f"     {escape(item.passage)}", highlight=False)
            if item.citation:
                c = item.citation
                where = c.document + (f", {c.heading}" if c.heading else "")
                where += f", page {c.page}" if c.page else ""
                out.print(f"     [dim]source: {escape(where)}[/]", highlight=False)


@app.command("eval")
def eval_(
    questions: Path = typer.Argument(..., help="CSV with question,expected[,kind]."),
    store: Path = StoreOpt,
    threshold: float | None = typer.Option(None, "--threshold"),
    as_json: bool = typer.Option(False, "--json", help="The figures as JSON."),
    retrieval: str | None = typer.Option(
        None,
        "--retrieval",
        help="lexical (BM25, no model), dense (embeddings only), hybrid (weighted sum) or "
        "rrf (reciprocal-rank fusion), to compare them; default: as configured (hybrid, "
        "or lexical when DXSCORE_ASSISTANT_EMBEDDINGS=none).",
    ),
) -> None:
    """Measure the assistant on a question set."""
    from dxscore.assistant import Library
    from dxscore.assistant.evaluate import evaluate, read_cases
    from dxscore.errors import Problems

    try:
        library = Library.open(store)
        if retrieval is not None:
            library.use(retrieval)
        else:
            retrieval = "hybrid" if library.embedder is not None else "lexical"
        cases = read_cases(questions)
    except (Problems, OSError) as exc:
        _fail(exc)
        return
    report = evaluate(library, cases, threshold=threshold)
    overall = report.figures()
    best = report.best_threshold()
    if as_json:
        payload = {
            "retrieval": retrieval,
            "overall": overall,
            "by_kind": report.by_kind,
            "threshold": report.threshold,
            "best_threshold": best,
            "curve": report.curve(),
        }
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    table = Table("kind", "questions", "recall@1", "recall@3", "MRR", "declined", "p95 ms")
    for kind, f in [*report.by_kind.items(), ("all", overall)]:
        declined = "" if f["declined"] != f["declined"] else f"{f['declined']:.2f}"
        table.add_row(
            kind,
            f"{f['questions']:.0f}",
            f"{f['recall@1']:.2f}" if f["answerable"] else "",
            f"{f['recall@3']:.2f}" if f["answerable"] else "",
            f"{f['mrr']:.2f}" if f["answerable"] else "",
            declined,
            f"{f['p95_ms']:.0f}",
        )
    out.print(table)
    curve = Table("threshold", "unanswerable declined", "answerable wrongly declined")
    for point in report.curve():
        curve.add_row(
            f"{point['threshold']:.2f}",
            f"{point['declined']:.2f}",
            f"{point['wrongly_declined']:.2f}",
        )
    out.print(curve)
    out.print(f"retrieval: {retrieval}", highlight=False)
    out.print(
        f"recall@1 {overall['recall@1']:.3f}  recall@3 {overall['recall@3']:.3f}  "
        f"MRR {overall['mrr']:.3f}  unanswerable declined {overall['declined']:.3f}  "
        f"answerable wrongly declined {overall['wrongly_declined']:.3f}  "
        f"latency p50 {overall['p50_ms']:.0f} ms, p95 {overall['p95_ms']:.0f} ms  "
        f"(threshold {report.threshold:.2f}; best on this set {best:.2f})",
        highlight=False,
    )


@app.command()
def purge(
    days: int | None = typer.Option(
        None, "--days", min=1, help="Keep this many days (default: $DXSCORE_ASSISTANT_KEEP_DAYS)."
    ),
) -> None:
    """Delete the declined questions and feedback older than the retention period (the
    site does it too whenever it stores one; run this daily to be sure)."""
    from dxscore.cli.web import migrate, setup_django

    setup_django(create_home=True)
    migrate()
    from dxscore.web.assistant.retention import purge as run

    done = run(days)
    out.print(
        f"{done.questions} declined question(s) and {done.feedback} feedback row(s) "
        f"stored before {done.before:%Y-%m-%d %H:%M} removed",
        highlight=False,
    )
