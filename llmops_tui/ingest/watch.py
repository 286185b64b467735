"""Following trace files as they grow: `llmops watch` and, in a worker thread, `llmops --watch`.

Events from watchfiles only say *which* files may have changed; the Ingestor's per-file
checkpoint says *what* is new, so a change costs only its new bytes and a half-written last
line waits for the next event. Events can be missed (network filesystems, editors that
replace files, the moment before the watch starts), so a periodic re-scan compares each
file's stat signature with the one last processed. The database is opened only for files
whose signature changed: an idle watcher never takes the DuckDB lock (DESIGN §3).

Failures stay per file and never end the loop: an unreadable file is reported once (again
only if its error changes); a lock held beyond the store's retries is reported and retried
on the next tick.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import watchfiles

from llmops_tui.errors import LlmopsError, StoreError
from llmops_tui.ingest.pipeline import FileReport, Ingestor, IngestReport
from llmops_tui.ingest.sniff import TraceFormat
from llmops_tui.ingest.source import discover
from llmops_tui.store import Store
from llmops_tui.store.span_costs import RateSource

BatchCallback = Callable[[IngestReport], None]
"""Receives the files of one pass that loaded, rejected or failed (never an empty report)."""
FLUSH_S = 1.0
"""During a long pass, `on_batch` hears about finished files at least this often."""

_Signature = tuple[int, int, int, int]


class FileIngestor(Protocol):
    """What the watcher needs of `pipeline.Ingestor` (a fake in unit tests)."""

    def ingest_file(self, path: Path) -> FileReport: ...


class _Stopped(Exception):
    """Raised between two committed batches of a file when `stop` is set."""


class Watcher:
    """Ingests `paths` (files or folders, as `discover` expands them) whenever they change.

    Args:
        ingestor: an `Ingestor` (see `for_store`); its store is opened per unit of work.
        paths: files and folders; a named file's folder is watched, so rotation is noticed.
        rescan_interval: seconds between safety re-scans of every file's stat signature.
        debounce_ms, step_ms: watchfiles' grouping of a burst of events; `stop` is noticed
            within `step_ms`.
        tick_ms: how often the loop wakes without events (pending retries, re-scans).
    """

    def __init__(
        self,
        ingestor: FileIngestor,
        paths: Sequence[Path],
        *,
        rescan_interval: float = 3.0,
        debounce_ms: int = 300,
        step_ms: int = 50,
        tick_ms: int = 1000,
    ) -> None:
        if not paths:
            raise ValueError("Watcher needs at least one path")
        self._ingestor = ingestor
        self._paths = list(paths)
        self._roots = sorted({p if p.is_dir() else p.parent for p in map(_real, self._paths)})
        self._rescan_interval = rescan_interval
        self._debounce_ms = debounce_ms
        self._step_ms = step_ms
        self._tick_ms = tick_ms
        self._seen: dict[Path, _Signature] = {}
        self._errors: dict[Path, str] = {}
        self._retry: set[Path] = set()
        self._stop = threading.Event()
        self._on_batch: BatchCallback = lambda report: None

    @classmethod
    def for_store(
        cls,
        store: Store,
        rates: RateSource,
        paths: Sequence[Path],
        *,
        forced_format: TraceFormat | None = None,
    ) -> Watcher:
        """The usual watcher: its Ingestor checks `stop` after each committed batch, so a long
        catch-up stops within a batch, not at the end of the file (the checkpoint resumes it)."""
        watcher: Watcher

        def after_batch(consumed: int) -> None:
            if watcher._stop.is_set():
                raise _Stopped

        ingestor = Ingestor(store, rates, forced_format=forced_format, progress=after_batch)
        watcher = cls(ingestor, paths)
        return watcher

    def run(self, stop: threading.Event, on_batch: BatchCallback | None = None) -> None:
        """Catch up on every file, then follow changes until `stop` is set."""
        self._stop = stop
        self._on_batch = on_batch or self._on_batch
        self._scan(None)
        last_scan = time.monotonic()
        first = True
        for changes in watchfiles.watch(
            *self._roots,
            watch_filter=None,
            stop_event=stop,
            debounce=self._debounce_ms,
            step=self._step_ms,
            rust_timeout=self._tick_ms,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            if stop.is_set():
                return
            changed: set[Path] | None = {_real(Path(p)) for _, p in changes} | self._retry
            if first or time.monotonic() - last_scan >= self._rescan_interval:
                changed, last_scan, first = None, time.monotonic(), False
            if changed is None or changed:
                self._scan(changed)

    def _scan(self, changed: set[Path] | None) -> None:
        """One pass over the files `discover` finds: all of them, or those under `changed`."""
        dirs = [c for c in changed or () if c.is_dir()]
        candidates: dict[Path, Path] = {}
        for path in discover(self._paths):
            key = _real(path)
            if changed is None or key in changed or any(d in key.parents for d in dirs):
                candidates.setdefault(key, path)
        report, flushed = IngestReport(), time.monotonic()
        pending = list(candidates.items())
        for index, (key, path) in enumerate(pending):
            if self._stop.is_set():
                break
            try:
                file_report = self._visit(key, path)
            except StoreError as error:  # the whole database is unavailable: try again later
                self._retry.update(k for k, _ in pending[index:])
                failure = self._worth_reporting(
                    key, FileReport(str(path), status="failed", error=str(error))
                )
                report.files.extend([failure] if failure else [])
                break
            report.files.extend([file_report] if file_report else [])
            if report.files and time.monotonic() - flushed >= FLUSH_S:
                self._on_batch(report)
                report, flushed = IngestReport(), time.monotonic()
        if report.files:
            self._on_batch(report)

    def _visit(self, key: Path, path: Path) -> FileReport | None:
        try:
            st = os.stat(key)
        except OSError:  # deleted or mid-rotation: its successor gets its own event
            self._seen.pop(key, None)
            self._retry.discard(key)
            return None
        signature = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if self._seen.get(key) == signature and key not in self._retry:
            return None
        try:
            report = self._ingestor.ingest_file(path)
        except _Stopped:
            return None
        except StoreError:
            raise
        except (LlmopsError, OSError) as error:
            report = FileReport(path=str(path), status="failed", error=str(error))
        self._retry.discard(key)
        self._seen[key] = signature  # taken before reading: growth during the pass is redone
        return self._worth_reporting(key, report)

    def _worth_reporting(self, key: Path, report: FileReport) -> FileReport | None:
        """Loads and rejects are; a failure when it starts or changes, not on every change of
        the file: the report may itself go to a watched file (`llmops watch . 2>watch.log`)."""
        if report.status != "failed":
            self._errors.pop(key, None)
            loaded = report.spans_loaded or report.eval_results or report.rejects
            return report if loaded else None
        if self._errors.get(key) == report.error:
            return None
        self._errors[key] = report.error or ""
        return report


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))
