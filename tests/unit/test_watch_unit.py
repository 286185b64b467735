"""The watch loop in-process, with a fake ingestor: when it ingests, reports and retries.

No DuckDB here (tests/cli/test_watch.py runs the real thing in a second process); the fake
counts complete lines like the real checkpoint does, so these tests see exactly which
files the watcher handed over and what it reported.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import watchfiles

from llmops_tui.errors import IngestError, StoreError
from llmops_tui.ingest.pipeline import FileReport, IngestReport
from llmops_tui.ingest.watch import Watcher

WAIT_S = 10.0


class FakeIngestor:
    """Loads one span per complete line since the last call; scripted failures."""

    def __init__(self) -> None:
        self.consumed: dict[Path, int] = {}
        self.calls: list[str] = []
        self.failures: dict[str, list[Exception]] = {}

    def ingest_file(self, path: Path) -> FileReport:
        self.calls.append(path.name)
        pending = self.failures.get(path.name)
        if pending:
            raise pending.pop(0)
        data = path.read_bytes()
        done = self.consumed.get(path, 0)
        end = data.rfind(b"\n") + 1
        self.consumed[path] = max(done, end)
        lines = data[done:end].count(b"\n")
        return FileReport(
            path=str(path),
            status="loaded" if lines else "unchanged",
            spans_loaded=lines,
            held_back=end < len(data),
        )


class Running:
    """A Watcher in a thread, collecting what it reports."""

    def __init__(self, watcher: Watcher) -> None:
        self.stop = threading.Event()
        self.reports: list[FileReport] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=watcher.run, args=(self.stop, self.on_batch))
        self.thread.start()

    def on_batch(self, report: IngestReport) -> None:
        assert report.files, "on_batch is never called with nothing to say"
        with self.lock:
            self.reports.extend(report.files)

    def seen(self) -> list[tuple[str, str, int]]:
        with self.lock:
            return [(Path(f.path).name, f.status, f.spans_loaded) for f in self.reports]

    def wait_for(self, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_S
        while not condition():
            assert self.thread.is_alive(), "the watcher died"
            assert time.monotonic() < deadline, f"timed out; seen {self.seen()}"
            time.sleep(0.01)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(timeout=WAIT_S)
        assert not self.thread.is_alive()


FAST: dict[str, Any] = {
    "rescan_interval": 0.3,
    "debounce_ms": 100,
    "step_ms": 20,
    "tick_ms": 100,
}


@pytest.fixture
def fake() -> FakeIngestor:
    return FakeIngestor()


@pytest.fixture
def run(fake: FakeIngestor) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(paths: list[Path], **options: Any) -> Running:
        running = Running(Watcher(fake, paths, **{**FAST, **options}))
        started.append(running)
        return running

    yield start
    for running in started:
        running.finish()


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def test_catches_up_then_follows_growth_and_new_files(
    tmp_path: Path, fake: FakeIngestor, run: Callable[..., Running]
) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"{}\n{}\n")
    (tmp_path / "readme.md").write_bytes(b"not a trace name\n")
    watching = run([tmp_path])
    watching.wait_for(lambda: watching.seen() == [("a.jsonl", "loaded", 2)])

    append(tmp_path / "a.jsonl", b"{}\n{")
    watching.wait_for(lambda: len(watching.seen()) == 2)
    append(tmp_path / "a.jsonl", b"}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.log").write_bytes(b"{}\n")
    (tmp_path / ".hidden.jsonl").write_bytes(b"{}\n")
    watching.wait_for(lambda: len(watching.seen()) == 4)

    assert sorted(watching.seen()) == [
        ("a.jsonl", "loaded", 1),
        ("a.jsonl", "loaded", 1),
        ("a.jsonl", "loaded", 2),
        ("b.log", "loaded", 1),
    ]
    assert watching.reports[1].held_back
    assert "readme.md" not in fake.calls
    assert ".hidden.jsonl" not in fake.calls


def test_an_idle_watcher_leaves_the_database_alone(
    tmp_path: Path, fake: FakeIngestor, run: Callable[..., Running]
) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"{}\n")
    watching = run([tmp_path])
    watching.wait_for(lambda: len(watching.seen()) == 1)
    time.sleep(1.0)  # several re-scans and ticks
    assert fake.calls == ["a.jsonl"]


def test_a_bad_file_is_reported_once_until_its_error_changes(
    tmp_path: Path, fake: FakeIngestor, run: Callable[..., Running]
) -> None:
    bad = tmp_path / "bad.log"
    bad.write_bytes(b"\x00\x01")
    not_trace = IngestError(str(bad), "not a trace file")
    fake.failures["bad.log"] = [not_trace, not_trace, IngestError(str(bad), "cannot read")]
    watching = run([tmp_path])
    watching.wait_for(lambda: len(watching.seen()) == 1)
    assert watching.reports[0].error == f"{bad}: not a trace file"

    # The same error again (say the report went to this very file): said once is enough.
    append(bad, b"\x02")
    watching.wait_for(lambda: len(fake.calls) == 2)
    time.sleep(0.8)  # re-scans see an unchanged file: nothing more
    assert watching.seen() == [("bad.log", "failed", 0)]
    assert len(fake.calls) == 2

    append(bad, b"\x03")
    watching.wait_for(lambda: len(watching.seen()) == 2)
    assert watching.reports[1].error == f"{bad}: cannot read"
    append(bad, b"{}\n")
    watching.wait_for(lambda: len(watching.seen()) == 3)
    assert watching.seen()[2] == ("bad.log", "loaded", 1)


def test_a_store_error_is_reported_and_retried_without_a_new_change(
    tmp_path: Path, fake: FakeIngestor, run: Callable[..., Running]
) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"{}\n")
    (tmp_path / "b.jsonl").write_bytes(b"{}\n")
    locked = StoreError("db: locked by PID 1; gave up after 30s")
    fake.failures["a.jsonl"] = [locked, locked]
    watching = run([tmp_path], rescan_interval=60)
    watching.wait_for(lambda: len(watching.seen()) == 3)
    assert watching.seen() == [
        ("a.jsonl", "failed", 0),
        ("a.jsonl", "loaded", 1),
        ("b.jsonl", "loaded", 1),
    ]
    # After the first failure the pass stopped (the lock is global); the same message
    # isn't repeated; b was tried only after the database came back.
    assert fake.calls == ["a.jsonl", "a.jsonl", "a.jsonl", "b.jsonl"]


def test_missed_events_are_caught_by_the_rescan(
    tmp_path: Path, fake: FakeIngestor, run: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    def deaf_watch(*paths: Path, stop_event: threading.Event, **_: Any) -> Iterator[set[Any]]:
        while not stop_event.wait(0.05):
            yield set()

    monkeypatch.setattr(watchfiles, "watch", deaf_watch)
    log = tmp_path / "a.jsonl"
    log.write_bytes(b"{}\n")
    watching = run([log])
    watching.wait_for(lambda: len(watching.seen()) == 1)
    append(log, b"{}\n{}\n")
    watching.wait_for(lambda: watching.seen()[-1] == ("a.jsonl", "loaded", 2))


def test_a_named_file_is_followed_through_rotation(
    tmp_path: Path, fake: FakeIngestor, run: Callable[..., Running]
) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"{}\n")
    (tmp_path / "other.log").write_bytes(b"{}\n")
    watching = run([log], rescan_interval=60)
    watching.wait_for(lambda: len(watching.seen()) == 1)
    log.rename(tmp_path / "app.log.1")
    fake.consumed.clear()  # the real checkpoint notices the new file by its fingerprint
    fresh = tmp_path / "app.log.new"
    fresh.write_bytes(b"{}\n{}\n")
    fresh.rename(log)
    watching.wait_for(lambda: len(watching.seen()) == 2)
    assert watching.seen()[-1] == ("app.log", "loaded", 2)
    assert set(fake.calls) == {"app.log"}


def test_stop_is_noticed_without_waiting_for_a_tick(tmp_path: Path, fake: FakeIngestor) -> None:
    stop = threading.Event()
    watcher = Watcher(fake, [tmp_path], tick_ms=600_000, rescan_interval=600)
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(timeout=WAIT_S)
    assert not thread.is_alive()
