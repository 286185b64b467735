"""Following trace files as they grow: `llmops watch` and, in a worker thread, `llmops --watch`.

Events from watchfiles only say *which* files may have changed; the Ingestor's per-file
checkpoint says *what* is new, so a changed file costs only its new bytes and a half-written
last line simply waits for the next event. Events can be missed (network filesystems, editors
that replace files, the moment between the catch-up pass and the watch starting), so a
periodic re-scan compares each file's stat signature with the one last processed. The
database is opened only for files whose signature changed: an idle watcher never takes the
DuckDB lock, and the cockpit or a CI job can use the file meanwhile (DESIGN §3).

Failures stay per file and never end the loop: a file that can't be read is reported once per
change; a lock held by another process beyond the store's retries is reported and the pass is
tried again on the next tick.
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
from llmops_tui.store.span_load import RateSource

BatchCallback = Callable[[IngestReport], None]
"""Receives the files of one pass that loaded, rejected or failed (never an empty report)."""

_Signature = tuple[int, int, int, int]


class FileIngestor(Protocol):
    """What the watcher needs of `pipeline.Ingestor` (a fake in unit tests)."""

    def ingest_file(self, path: Path) -> FileReport: ...


class _Stopped(Exception):
    """Raised between two committed batches of a file when `stop` is set."""


class Watcher:
    """Ingests `paths` (files or folders, as `discover` expands them) whenever they change.

    Args:
        ingestor: an `Ingestor`; its store is opened per unit of work.
        paths: files and folders to follow; a named file's folder is watched so a rotated or
            re-created file is noticed.
        rescan_interval: seconds between safety re-scans of every file's stat signature.
        debounce_ms: longest time watchfiles groups a burst of events.
        step_ms: quiet time after which watchfiles hands over the events so far; also how
            often a set `stop` event is noticed.
        tick_ms: how often the loop wakes without events (pending retries, re-scans).
        flush_interval: during a long pass, `on_batch` is called at least this often (s).
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
        flush_interval: float = 1.0,
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
        self._flush_interval = flush_interval
        self._seen: dict[Path, _Signature] = {}
        self._errors: dict[Path, str] = {}
        self._retry: set[Path] = set()
        self._stop: threading.Event | None = None

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
            if watcher._stop is not None and watcher._stop.is_set():
                raise _Stopped

        ingestor = Ingestor(store, rates, forced_format=forced_format, progress=after_batch)
        watcher = cls(ingestor, paths)
        return watcher

    def run(self, stop: threading.Event, on_batch: BatchCallback | None = None) -> None:
        """Catch up on every file, then follow changes until `stop` is set."""
        self._stop = stop
        self.scan(stop, on_batch, changed=None)
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
                self.scan(stop, on_batch, changed=changed)

    def scan(
        self,
        stop: threading.Event,
        on_batch: BatchCallback | None,
        *,
        changed: set[Path] | None,
    ) -> None:
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
            if stop.is_set():
                break
            try:
                file_report = self._visit(key, path)
            except StoreError as error:  # the whole database is unavailable: try again later
                self._retry.update(k for k, _ in pending[index:])
                file_report = self._store_failure(key, path, error)
                if file_report is not None:
                    report.files.append(file_report)
                break
            if file_report is not None and _worth_reporting(file_report):
                report.files.append(file_report)
            if report.files and on_batch and time.monotonic() - flushed >= self._flush_interval:
                on_batch(report)
                report, flushed = IngestReport(), time.monotonic()
        if report.files and on_batch:
            on_batch(report)

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
            report = FileReport(path=str(path), status="failed", error=_message(error))
        self._retry.discard(key)
        self._seen[key] = signature  # taken before reading: growth during the pass is redone
        self._errors.pop(key, None)
        return report

    def _store_failure(self, key: Path, path: Path, error: StoreError) -> FileReport | None:
        """The same store error is reported once until that file loads again."""
        message = str(error)
        if self._errors.get(key) == message:
            return None
        self._errors[key] = message
        return FileReport(path=str(path), status="failed", error=message)


def _worth_reporting(report: FileReport) -> bool:
    return report.spans_loaded > 0 or report.rejects > 0 or report.status == "failed"


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _message(error: BaseException) -> str:
    if isinstance(error, OSError):
        return f"{error.filename or ''}: cannot read: {error.strerror or error}".lstrip(": ")
    return str(error)
