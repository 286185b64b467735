"""`llmops ingest PATH...`: load trace files and folders."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count, echo_json
from llmops_tui.ingest.pipeline import Ingestor, IngestReport, ProgressCallback
from llmops_tui.ingest.sniff import EVAL_FORMATS, TraceFormat
from llmops_tui.ingest.source import discover

EVAL_FORMAT_NAMES = {f.value for f in EVAL_FORMATS}

PROGRESS_MIN_BYTES = 32 * 1024 * 1024
"""Below this much input a progress bar would only flicker."""


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "forced_format",
    type=click.Choice([f.value for f in TraceFormat]),
    help="Skip format detection and read every file as this format.",
)
@click.option("--strict", is_flag=True, help="Exit 1 if any line was rejected.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def ingest_command(
    ctx: CliContext, paths: tuple[Path, ...], forced_format: str | None, strict: bool, as_json: bool
) -> None:
    """Load trace and eval files or folders (recursively; .gz too) into the database.

    Formats are detected from content: OTLP JSON (collector file exporter, or one request),
    OTLP protobuf, OpenTelemetry console-exporter output, flat span JSONL, and OpenAI,
    Anthropic and LiteLLM request/response logs; and eval results: promptfoo results.json,
    inspect-ai logs (.json and .eval) and OpenAI Evals record JSONL, stored as eval runs
    (a bad eval file fails whole, naming where). Files already loaded are skipped; files
    that grew resume where they stopped. Bad lines are rejected with a reason and the rest
    loads. Exit 0 when everything readable loaded, 1 with --strict if anything was rejected,
    2 when an input can't be read at all.
    """
    store = ctx.store()
    store.initialise()
    files = discover(list(paths))
    started = time.monotonic()
    with _progress(files, enabled=not as_json) as progress:
        ingestor = Ingestor(
            store,
            ctx.rates(),
            forced_format=TraceFormat(forced_format) if forced_format else None,
            progress=progress,
        )
        report = IngestReport(files=[ingestor.ingest_file(path) for path in files])
    elapsed = time.monotonic() - started
    code = report.exit_code(strict=strict)
    if as_json:
        echo_json(
            {
                "database": str(store.path),
                "files": [asdict(f) for f in report.files],
                "spans_loaded": report.spans_loaded,
                "eval_runs": report.eval_runs,
                "eval_results": report.eval_results,
                "duplicates": report.duplicates,
                "rejects": report.rejects,
                "seconds": round(elapsed, 3),
                "exit_code": code,
            }
        )
    else:
        _print_report(report, elapsed, store.path)
    sys.exit(code)


@contextmanager
def _progress(files: list[Path], *, enabled: bool) -> Iterator[ProgressCallback | None]:
    total = sum(p.stat().st_size for p in files if p.is_file())
    if not enabled or total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="ingesting", file=sys.stderr) as bar:
        yield bar.update


def _print_report(report: IngestReport, elapsed: float, db: Path) -> None:
    for f in report.files:
        if f.status == "failed":
            click.echo(f"error: {f.error}", err=True)
            continue
        notes: list[str] = []
        if f.status in ("unchanged", "empty"):
            notes.append(f.status)
        if f.duplicates:
            notes.append(f"{count(f.duplicates)} duplicates skipped")
        if f.rejects:
            notes.append(f"{count(f.rejects)} rejected")
        if f.held_back:
            notes.append("incomplete last record left for the next pass")
        fmt = f" [{f.format}]" if f.format else ""
        tail = f" ({', '.join(notes)})" if notes else ""
        if f.format in EVAL_FORMAT_NAMES:
            loaded = f"{_results(f.eval_results)} in {_runs(f.eval_runs)}"
        else:
            loaded = f"{count(f.spans_loaded)} spans"
        click.echo(f"{f.path}{fmt}: {loaded}{tail}")
        for reject in f.first_rejects:
            click.echo(f"  line {reject.line}: {reject.reason}")
        if f.rejects > len(f.first_rejects):
            click.echo(
                f"  ... and {count(f.rejects - len(f.first_rejects))} more "
                "(see the ingest_rejects table)"
            )
    readable = len(report.files) - len(report.failed)
    evals = (
        f" and {_results(report.eval_results)} ({_runs(report.eval_runs)})"
        if any(f.format in EVAL_FORMAT_NAMES for f in report.files)
        else ""
    )
    click.echo(
        f"{count(report.spans_loaded)} spans{evals} loaded from {readable} of {len(report.files)} "
        f"files into {db} in {elapsed:.1f}s; {count(report.duplicates)} duplicates skipped, "
        f"{count(report.rejects)} rejected"
    )


def _results(n: int) -> str:
    return f"{count(n)} eval result" if n == 1 else f"{count(n)} eval results"


def _runs(n: int) -> str:
    return f"{count(n)} run" if n == 1 else f"{count(n)} runs"
