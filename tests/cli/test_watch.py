"""`llmops watch` in a real second process, sharing the database with this one (DESIGN §3).

The watcher writes while the test reads through `Store(readonly=True)`: both must keep
working, every appended span must arrive exactly once, and a half-written line must wait.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.store import Store
from tests.ingest.spans import flat_span, jsonl

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 20.0


class WatchProcess:
    """`python -m llmops_tui --db DB watch [--json] PATHS` with its output in files."""

    def __init__(self, db: Path, paths: list[Path], name: str, *, as_json: bool = True) -> None:
        self.stdout_path = db.with_name(f"{name}.out")
        self.stderr_path = db.with_name(f"{name}.err")
        env = {**os.environ, "PYTHONPATH": str(REPO), "LLMOPS_LOCK_TIMEOUT": "60"}
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "llmops_tui", "--db", str(db), "watch"]
                + (["--json"] if as_json else [])
                + [str(p) for p in paths],
                stdout=out,
                stderr=err,
                env=env,
            )
        wait_for(lambda: "watching" in self.stderr() or self.process.poll() is not None)
        assert self.process.poll() is None, self.stderr()

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def stop(self) -> str:
        """SIGINT, as Ctrl-C would; returns what it printed."""
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=WAIT_S) == 0, self.stderr()
        return self.stdout_path.read_text()

    def stop_json(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stop().splitlines()]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def span_ids(store: Store) -> list[str]:
    with store.reader() as cur:
        return [row[0] for row in cur.execute("select span_id from spans order by 1").fetchall()]


def reject_count(store: Store) -> int:
    with store.reader() as cur:
        row = cur.execute("select count(*) from ingest_rejects").fetchone()
    assert row is not None
    return int(row[0])


def expected_ids(numbers: range | list[int]) -> list[str]:
    return sorted(flat_span(n)["span_id"] for n in numbers)


def append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


@pytest.fixture
def watch_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Path, list[WatchProcess]]]:
    """A folder to watch, a database outside it, and cleanup of the processes started."""
    monkeypatch.setenv("LLMOPS_LOCK_TIMEOUT", "60")  # this process's reads wait as long
    logs = tmp_path / "logs"
    logs.mkdir()
    started: list[WatchProcess] = []
    yield logs, tmp_path / "watch.duckdb", started
    for process in started:
        process.kill()


def test_appended_spans_arrive_exactly_once_while_another_process_reads(
    watch_dir: tuple[Path, Path, list[WatchProcess]],
) -> None:
    logs, db, started = watch_dir
    watcher = WatchProcess(db, [logs], "watch")
    started.append(watcher)
    reader = Store(db, readonly=True)
    log = logs / "app.jsonl"
    appended: list[int] = []
    reads = 0

    def arrived() -> bool:
        nonlocal reads
        reads += 1
        return span_ids(reader) == expected_ids(appended)

    for burst in range(4):
        numbers = list(range(burst * 25, burst * 25 + 25))
        append(log, jsonl([flat_span(n) for n in numbers]))
        appended += numbers
        wait_for(arrived)

    # A writer caught mid-line: ten whole lines and half of the eleventh in one write.
    numbers = list(range(100, 120))
    whole = jsonl([flat_span(n) for n in numbers])
    cut = len(jsonl([flat_span(n) for n in numbers[:10]])) + 40
    append(log, whole[:cut])
    appended += numbers[:10]
    wait_for(arrived)
    time.sleep(0.5)  # room for a wrongly eager watcher to consume the half line
    assert span_ids(reader) == expected_ids(appended)
    assert reject_count(reader) == 0
    append(log, whole[cut:])
    appended += numbers[10:]
    wait_for(arrived)

    assert span_ids(reader) == expected_ids(range(120))
    assert reject_count(reader) == 0
    assert reads > 5
    lines = watcher.stop_json()
    files = [line for line in lines if "path" in line]
    assert sum(f["spans_loaded"] for f in files) == 120
    assert sum(f["duplicates"] for f in files) == 0
    assert any(f["held_back"] for f in files)
    assert lines[-1] == {
        "total": {"spans_loaded": 120, "duplicates": 0, "rejects": 0, "failures": 0}
    }
    err = watcher.stderr()
    assert "Traceback" not in err
    assert "error" not in err.lower()
    assert "locked" not in err.lower()


def test_a_restart_resumes_from_the_checkpoint_and_new_files_are_picked_up(
    watch_dir: tuple[Path, Path, list[WatchProcess]],
) -> None:
    logs, db, started = watch_dir
    log = logs / "app.jsonl"
    log.write_bytes(jsonl([flat_span(n) for n in range(10)]))
    (logs / "mixed.log").write_bytes(jsonl([flat_span(10)]) + b"nope\n")
    first = WatchProcess(db, [logs], "first", as_json=False)
    started.append(first)
    reader = Store(db, readonly=True)
    wait_for(lambda: span_ids(reader) == expected_ids(range(11)))
    out = first.stop().splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d .*app\.jsonl: 10 spans", out[0])
    assert re.fullmatch(r"\d\d:\d\d:\d\d .*mixed\.log: 1 spans \(1 rejected\)", out[1])
    assert out[2:] == [
        "  line 2: not valid JSON",
        "stopped: 11 spans loaded, 0 duplicates skipped, 1 rejected, 0 file errors",
    ]

    append(log, jsonl([flat_span(n) for n in range(11, 15)]))
    second = WatchProcess(db, [logs], "second")
    started.append(second)
    wait_for(lambda: span_ids(reader) == expected_ids(range(15)))

    (logs / "sub").mkdir()
    (logs / "sub" / "late.jsonl").write_bytes(jsonl([flat_span(n) for n in range(15, 20)]))
    (logs / ".hidden.jsonl").write_bytes(jsonl([flat_span(99)]))
    (logs / "notes.md").write_bytes(orjson.dumps(flat_span(98)) + b"\n")
    wait_for(lambda: span_ids(reader) == expected_ids(range(20)))

    lines = second.stop_json()
    loaded = {Path(f["path"]).name: f["spans_loaded"] for f in lines if "path" in f}
    assert loaded == {"app.jsonl": 4, "late.jsonl": 5}
    assert lines[-1]["total"] == {"spans_loaded": 9, "duplicates": 0, "rejects": 0, "failures": 0}
    assert span_ids(reader) == expected_ids(range(20))
    assert "Traceback" not in second.stderr()
