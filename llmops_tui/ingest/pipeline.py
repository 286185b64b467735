"""`llmops ingest`: files in, spans (and eval runs) and a report out.

Per file: check its checkpoint (unchanged files are skipped in milliseconds, grown files
resume where they stopped, replaced files start over), sniff the format, then stream it in
bounded chunks (`file_run.py`). Records of many files share a transaction of a few DuckDB
row groups, inserted by one statement on a background thread that reads slices of records as
this thread hands them over (`StreamLoad`); every file's checkpoint commits with its records,
so memory stays bounded and a kill loses nothing that was committed. Eval result files go to
`eval_load.py` and `store.evals` instead, each checkpointed like a trace file.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from llmops_tui.errors import IngestError
from llmops_tui.ingest.batch import SCHEMA, Batch
from llmops_tui.ingest.eval_load import load_eval_file
from llmops_tui.ingest.file_run import FileRun
from llmops_tui.ingest.report import FileReport, IngestReport
from llmops_tui.ingest.sniff import EVAL_FORMATS, Sniffed, TraceFormat, UnknownFormat, sniff
from llmops_tui.ingest.source import FileInfo, discover, fingerprint, read_head, stat_file
from llmops_tui.store import Store
from llmops_tui.store.span_costs import KnownRates, RateSource
from llmops_tui.store.span_load import Checkpoint, SpanLoader

__all__ = ["FileReport", "IngestReport", "Ingestor", "ProgressCallback"]

CHUNK_BYTES = 4 * 1024 * 1024
"""Bytes of input read at a time."""
SLICE_BYTES = 4 * 1024 * 1024
"""Input handed to the loading thread at a time. Small, because every slice between the
reader and DuckDB is memory: 16 MB chunks and 8 MB slices took ~120 MB more peak RSS than
4 MB ones on 1M flat spans, at the same speed (bench/RESULTS.md)."""
QUEUED_SLICES = 2
"""Slices waiting for the loading thread, at most: bounds memory."""
GROUP_ROWS = 4 * 122_880
"""Records per transaction: four DuckDB row groups. Full row groups go straight to the file
as they fill (optimistic writes); the part-filled last ones go through the write-ahead log
and are rewritten by the next checkpoint, so the fewer transactions end, the less is written
twice. Measured on 1M flat spans: one row group per transaction took 106 s and left a 5.5 GB
file, four took 74 s and 4.1 GB (DuckDB's own read_json: 4.2 GB)."""
GROUP_BYTES = 2 * 1024 * 1024 * 1024
"""...or this much input, whichever comes first (a lock is held for one transaction)."""
ProgressCallback = Callable[[int], None]
"""Called with the number of input bytes just consumed."""


class Ingestor:
    """Loads trace and eval files into a store; one instance per run (or per watch loop)."""

    def __init__(
        self,
        store: Store,
        rates: RateSource,
        *,
        forced_format: TraceFormat | None = None,
        chunk_bytes: int = CHUNK_BYTES,
        group_bytes: int = GROUP_BYTES,
        max_reasons: int = 5,
        progress: ProgressCallback | None = None,
    ) -> None:
        self._store = store
        self._rates = rates
        self._forced = forced_format
        self.chunk_bytes = chunk_bytes
        self._slice_bytes = min(group_bytes, SLICE_BYTES)
        self._group_bytes = group_bytes
        self._transaction = ExitStack()
        self._loader: SpanLoader | None = None
        self._stream: StreamLoad | None = None
        self._known_rates = KnownRates()
        self._last_stamp: datetime | None = None
        self._max_reasons = max_reasons
        self._progress = progress
        self.batch = Batch()
        self._known: dict[str, Checkpoint] | None = None
        """Checkpoints read up front for a whole run (one query instead of one per file)."""
        self._touched: set[str] = set()
        """Files written since `_known` was read: their checkpoints must be read again."""

    def ingest(self, paths: list[Path]) -> IngestReport:
        """Load files and folders; small files share batches, each file keeps its report."""
        report = IngestReport()
        files = discover(paths)
        self._known = self._store.sources.get_many([str(p.resolve()) for p in files])
        try:
            for path in files:
                report.files.append(self._ingest_one(path))
            self.flush()
        except BaseException:
            self._abandon()
            raise
        finally:
            self._known = None
        return report

    def ingest_file(self, path: Path) -> FileReport:
        try:
            report = self._ingest_one(path)
            self.flush()
        except BaseException:
            self._abandon()
            raise
        return report

    def _abandon(self) -> None:
        """After an unexpected error: roll the open transaction back and release the store.
        Errors met on the way are dropped: the error being raised already says what failed."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
        self._loader = None
        self.batch = Batch()
        self._transaction.close()  # `loading` rolls back what was not committed

    def _ingest_one(self, path: Path) -> FileReport:
        report = FileReport(path=str(path))
        try:
            self._ingest_file(path, report)
        except IngestError as error:
            report.status = "failed"
            report.error = str(error)
        return report

    def _ingest_file(self, path: Path, report: FileReport) -> None:
        info = stat_file(path)
        key = str(path.resolve())
        if key in self.batch.checkpoints:
            self.flush()  # the same file named twice: read its checkpoint after the first pass
        offset, lines = self._resume_point(info, key)
        if offset is None:
            report.status = "unchanged"
            return
        if info.size == 0:
            report.status = "empty"
            return
        head = read_head(info)
        if not head.strip():
            report.status = "empty"
            return
        try:
            sniffed = sniff(head, forced=self._forced)
        except UnknownFormat as error:
            raise IngestError(str(path), f"not a trace file: {error}") from None
        report.format = sniffed.format.value
        if sniffed.format in EVAL_FORMATS:
            self._ingest_eval_file(info, key, sniffed, report)
            return
        run = FileRun(self, info, key, sniffed, report)
        if sniffed.framing == "lines":
            run.load_lines(offset, lines)
        else:
            run.load_whole(offset, lines)

    def _ingest_eval_file(
        self, info: FileInfo, key: str, sniffed: Sniffed, report: FileReport
    ) -> None:
        """Runs and results go to `store.evals`, then the checkpoint commits on its own.

        The open span batch is committed first: the store has one writer and its lock is not
        re-entrant. Eval files are re-read whole when they change (their import is idempotent),
        so the checkpoint only has to say how far the file was read.
        """
        self.flush()
        read = load_eval_file(self._store, info, key, sniffed, report)
        self.batch.checkpoints[key] = Checkpoint(
            path=key,
            format=sniffed.format.value,
            size_bytes=info.size,
            offset_bytes=read.offset if not info.compressed else info.size,
            lines_consumed=read.lines,
            fingerprint=fingerprint(info, read.offset),
            complete=read.complete,
        )
        self.batch.reports[key] = report
        self.flush()

    def _resume_point(self, info: FileInfo, key: str) -> tuple[int | None, int]:
        """(offset, lines) to start from; offset None when the file is already loaded."""
        if self._known is not None and key not in self._touched:
            state = self._known.get(key)
        else:
            state = self._store.sources.get(key) if self._store.exists() else None
        if state is None:
            return 0, 0
        if info.compressed:
            same = state.size_bytes == info.size and fingerprint(info, 0) == state.fingerprint
        else:
            same = info.size >= state.offset_bytes and (
                fingerprint(info, state.offset_bytes) == state.fingerprint
            )
        if not same:
            self.flush()  # the store has one writer: commit what is open before forgetting
            self._store.sources.forget(key)
            return 0, 0
        if state.complete and state.size_bytes == info.size:
            return None, state.lines_consumed
        return state.offset_bytes, state.lines_consumed

    def batch_full(self) -> None:  # the BatchSink protocol FileRun writes to
        """Called after a file's chunk and its checkpoint were added: a safe point to commit."""
        batch = self.batch
        if batch.payload_bytes >= self._slice_bytes:
            self._send_slice()
        if batch.group_rows >= GROUP_ROWS or batch.group_bytes >= self._group_bytes:
            self.flush()

    def _send_slice(self) -> None:
        """Hand the records gathered so far to the open transaction (opening it if needed).

        DuckDB inserts them on a background thread while this one reads and converts the
        next: reading is Python and mostly one core, loading is DuckDB with the GIL released,
        so the two overlap. At most `QUEUED_SLICES` wait, which bounds memory.
        """
        batch = self.batch
        if not batch.rows:
            return
        table = batch.table()
        biggest = batch.largest_record
        batch.clear_rows()
        loader = self._open_loader()
        loader.make_room(biggest)
        if self._stream is None:
            self._stream = StreamLoad(loader)
        self._stream.put(table)

    def _open_loader(self) -> SpanLoader:
        if self._loader is None:
            self._loader = self._transaction.enter_context(
                self._store.spans.loading(
                    self._rates, self._known_rates, ingested_at=self._next_timestamp()
                )
            )
        return self._loader

    def flush(self) -> None:
        """Commit the open transaction with the checkpoints of every file it covers."""
        try:
            try:
                self._send_slice()
            finally:
                # Even on error: nothing may touch the cursor while the insert runs.
                stream, self._stream = self._stream, None
                if stream is not None:
                    stream.finish()
            batch = self.batch
            if not batch.checkpoints:
                return
            result = self._open_loader().commit(
                list(batch.checkpoints.values()), now=self._next_timestamp()
            )
        finally:
            self._loader = None
            self._transaction.close()  # rolls back if commit was not reached
        self.batch = Batch()
        self._touched.update(batch.checkpoints)
        for path, counts in result.sources.items():
            batch.reports[path].add(counts, self._max_reasons)
        if self._progress is not None:
            self._progress(batch.consumed_bytes)
        self._store.links.link()  # the version registry: link the spans just committed

    def _next_timestamp(self) -> datetime:
        """Now, strictly after the previous one: slices are told apart by `ingested_at`."""
        now = datetime.now(UTC).replace(tzinfo=None)
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + timedelta(microseconds=1)
        self._last_stamp = now
        return now


class LoadAborted(Exception):
    """Raised into the insert when the run gives up, so that DuckDB stops reading."""


_END = object()
_ABORT = object()


class StreamLoad:
    """The open transaction's insert, on its own thread: ONE statement for the whole
    transaction, so DuckDB spreads the work over every core, fed by slices of records as
    they are read (a statement per slice wrote each row group on one thread)."""

    def __init__(self, loader: SpanLoader) -> None:
        self._slices: queue.Queue[object] = queue.Queue(maxsize=QUEUED_SLICES)
        self._error: BaseException | None = None
        # A daemon: a second Ctrl-C must not leave the process waiting on it at exit.
        self._thread = threading.Thread(
            target=self._run, args=(loader,), name="llmops-load", daemon=True
        )
        self._thread.start()

    def put(self, table: pa.Table) -> None:
        """Queue a slice; raises the insert's error if it failed meanwhile."""
        self._put(table)

    def finish(self) -> None:
        """No more slices: wait for the insert; its error, if any, is raised here."""
        self._put(_END)
        self._thread.join()
        self._raise()

    def abort(self) -> None:
        """Stop the insert (it fails, and the transaction rolls back); errors are dropped."""
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._slices.get_nowait()  # make room for the marker
            with contextlib.suppress(queue.Full):
                self._slices.put_nowait(_ABORT)
            self._thread.join(timeout=0.05)

    def _put(self, item: object) -> None:
        while True:
            try:
                self._slices.put(item, timeout=0.1)
                return
            except queue.Full:
                if not self._thread.is_alive():  # the insert stopped reading: it failed
                    self._raise()
                    return

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _records(self) -> Iterator[pa.RecordBatch]:
        while True:
            item = self._slices.get()
            if item is _END:
                return
            if item is _ABORT:
                raise LoadAborted("ingest abandoned")
            assert isinstance(item, pa.Table)
            yield from item.to_batches()

    def _run(self, loader: SpanLoader) -> None:
        try:
            loader.insert(pa.RecordBatchReader.from_batches(SCHEMA, self._records()))
        except BaseException as error:  # handed to the waiting thread, which raises it
            self._error = error
