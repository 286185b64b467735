"""Re-ingest adds nothing twice; grown files resume; a kill loses nothing committed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import orjson

from llmops_tui.costs import StoreRates
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.pricing import Pricer
from llmops_tui.store import Store
from tests.ingest.spans import flat_span, jsonl, otlp_line

REPO = Path(__file__).resolve().parents[2]


def _keys(store: Store) -> list[tuple[str, str]]:
    with store.reader() as cur:
        return cur.execute("select trace_id, span_id from spans order by 1, 2").fetchall()


def test_the_same_file_twice_loads_once(tmp_path: Path, ingestor: Ingestor, store: Store) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(jsonl([flat_span(n) for n in range(20)]))
    first = ingestor.ingest([path])
    second = ingestor.ingest([path])
    assert first.spans_loaded == 20
    assert second.files[0].status == "unchanged"
    assert second.spans_loaded == 0
    assert len(_keys(store)) == 20


def test_two_files_sharing_spans_store_each_span_once(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    a = tmp_path / "a.jsonl"
    a.write_bytes(jsonl([flat_span(n) for n in range(0, 10)]))
    b = tmp_path / "b.json"
    b.write_bytes(orjson.dumps(otlp_line([flat_span(n) for n in range(5, 15)])))
    report = ingestor.ingest([a, b])
    assert [f.spans_loaded for f in report.files] == [10, 5]
    assert report.files[1].duplicates == 5
    assert len(_keys(store)) == 15


def test_a_grown_file_resumes_and_a_half_written_line_waits(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    path = tmp_path / "live.jsonl"
    whole = orjson.dumps(flat_span(3))
    path.write_bytes(jsonl([flat_span(1), flat_span(2)]) + whole[:40])

    report = ingestor.ingest([path])
    assert report.spans_loaded == 2
    assert report.files[0].held_back
    assert report.rejects == 0

    with path.open("ab") as handle:
        handle.write(whole[40:] + b"\n" + jsonl([flat_span(4)]))
    report = ingestor.ingest([path])
    assert report.spans_loaded == 2
    assert report.rejects == 0
    assert not report.files[0].held_back
    with store.reader() as cur:
        sources = cur.execute("select source from spans order by source").fetchall()
    assert [s[0].rsplit(":", 1)[1] for s in sources] == ["1", "2", "3", "4"]


def test_a_replaced_file_is_read_again_from_the_start(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    path = tmp_path / "rotated.jsonl"
    path.write_bytes(jsonl([flat_span(n) for n in range(10)]))
    ingestor.ingest([path])
    path.write_bytes(jsonl([flat_span(n) for n in range(100, 103)]))
    report = ingestor.ingest([path])
    assert report.spans_loaded == 3
    assert len(_keys(store)) == 13


KILLABLE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from llmops_tui.costs import StoreRates
    from llmops_tui.ingest.pipeline import Ingestor
    from llmops_tui.pricing import Pricer
    from llmops_tui.store import Store

    def report(done):
        print("batch", flush=True)

    store = Store(Path(sys.argv[1]))
    size = int(sys.argv[3])
    Ingestor(
        store, StoreRates(Pricer()), chunk_bytes=size, group_bytes=size, progress=report
    ).ingest([Path(sys.argv[2])])
    print("finished", flush=True)
    """
)


def test_a_replaced_file_after_a_big_one_does_not_wait_for_the_open_transaction(
    tmp_path: Path, store: Store
) -> None:
    big, replaced = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    big.write_bytes(jsonl([flat_span(n) for n in range(40)]))
    replaced.write_bytes(jsonl([flat_span(n) for n in range(100, 103)]))
    Ingestor(store, StoreRates(Pricer())).ingest([replaced])
    replaced.write_bytes(jsonl([flat_span(n) for n in range(200, 204)]))
    ingestor = Ingestor(store, StoreRates(Pricer()), chunk_bytes=2048, group_bytes=10**9)
    ingestor._slice_bytes = 2048  # `big` leaves its transaction open when `replaced` comes
    reports = []
    # A deadlock must fail the test, not hang the suite.
    worker = threading.Thread(target=lambda: reports.append(ingestor.ingest([big, replaced])))
    worker.daemon = True
    worker.start()
    worker.join(timeout=60)

    assert not worker.is_alive(), "ingest waited for its own open transaction"
    assert [f.spans_loaded for f in reports[0].files] == [40, 4]
    assert len(_keys(store)) == 47


def test_sigkill_part_way_then_rerun_equals_one_clean_ingest(tmp_path: Path) -> None:
    spans = [flat_span(n, trace=f"t{n // 4}") for n in range(6000)]
    lines = [orjson.dumps(s) for s in spans]
    lines[1234] = b"{broken"
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    chunk = str(512 * 1024)
    killed_db = tmp_path / "killed.duckdb"
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(killed_db), str(path), chunk],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    batches = 0
    for line in process.stdout:
        batches += line.startswith(b"batch")
        if batches == 3:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL

    killed = Store(killed_db)
    partial = len(_keys(killed))
    assert 0 < partial < len(spans) - 1
    Ingestor(killed, StoreRates(Pricer()), chunk_bytes=int(chunk), group_bytes=int(chunk)).ingest(
        [path]
    )

    clean = Store(tmp_path / "clean.duckdb")
    Ingestor(clean, StoreRates(Pricer())).ingest([path])

    assert _keys(killed) == _keys(clean)
    assert len(_keys(clean)) == len(spans) - 1

    def rejects(store: Store) -> list[tuple[int, str]]:
        with store.reader() as cur:
            return cur.execute("select line, reason from ingest_rejects order by line").fetchall()

    assert rejects(killed) == rejects(clean) == [(1235, "not valid JSON")]
