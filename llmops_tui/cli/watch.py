"""`llmops watch PATH...`: follow trace files and folders, loading lines as they are written.

The loop lives in `ingest.watch.Watcher` (the cockpit runs the same one in a worker thread);
this module only prints and turns Ctrl-C into a clean stop. The first Ctrl-C (or SIGTERM)
sets the stop event, so the file being loaded finishes its batch and the command prints a
total and exits 0; a second Ctrl-C interrupts at once (its batch rolls back, nothing is lost).
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType

import click

from llmops_tui.cli.context import CliContext, pass_context
from llmops_tui.cli.output import count
from llmops_tui.ingest.pipeline import FileReport, IngestReport
from llmops_tui.ingest.sniff import TraceFormat
from llmops_tui.ingest.watch import Watcher


@dataclass
class _Totals:
    spans_loaded: int = 0
    duplicates: int = 0
    rejects: int = 0
    failures: int = 0


@click.command("watch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "forced_format",
    type=click.Choice([f.value for f in TraceFormat]),
    help="Skip format detection and read every file as this format.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@pass_context
def watch_command(
    ctx: CliContext, paths: tuple[Path, ...], forced_format: str | None, as_json: bool
) -> None:
    """Follow trace files or folders and load new lines as they are written.

    Catches up on everything first, then loads each file again when it changes (a new file
    in a watched folder too), from where it stopped: a restart resumes from the checkpoint
    and a half-written last line waits until it is complete. The database is opened only
    per batch, so the cockpit and other commands can use it meanwhile. Prints one line per
    file that loaded something; Ctrl-C stops and prints the total (exit 0).
    """
    store = ctx.store()
    store.initialise()
    watcher = Watcher.for_store(
        store,
        ctx.rates(),
        list(paths),
        forced_format=TraceFormat(forced_format) if forced_format else None,
    )
    totals = _Totals()

    def on_batch(report: IngestReport) -> None:
        for f in report.files:
            totals.spans_loaded += f.spans_loaded
            totals.duplicates += f.duplicates
            totals.rejects += f.rejects
            totals.failures += f.status == "failed"
            _print_file(f, as_json=as_json)

    shown = ", ".join(str(p) for p in paths)
    click.echo(f"watching {shown} into {store.path} (Ctrl-C to stop)", err=True)
    stop = threading.Event()
    with _stop_on_signals(stop):
        watcher.run(stop, on_batch)
    if as_json:
        click.echo(json.dumps({"total": asdict(totals)}))
    else:
        click.echo(
            f"stopped: {count(totals.spans_loaded)} spans loaded, "
            f"{count(totals.duplicates)} duplicates skipped, {count(totals.rejects)} rejected, "
            f"{count(totals.failures)} file errors"
        )


def _print_file(f: FileReport, *, as_json: bool) -> None:
    now = datetime.now().astimezone()
    if as_json:
        click.echo(json.dumps({"time": now.isoformat(timespec="seconds"), **asdict(f)}))
    elif f.status == "failed":
        click.echo(f"{now:%H:%M:%S} error: {f.error}", err=True)
    else:
        rejected = f" ({count(f.rejects)} rejected)" if f.rejects else ""
        evals = f", {count(f.eval_results)} eval results" if f.eval_results else ""
        click.echo(f"{now:%H:%M:%S} {f.path}: {count(f.spans_loaded)} spans{evals}{rejected}")
        for reject in f.first_rejects:
            click.echo(f"  line {reject.line}: {reject.reason}")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """First SIGINT/SIGTERM sets `stop`; a second SIGINT interrupts as usual."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread (e.g. an embedding test)
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
