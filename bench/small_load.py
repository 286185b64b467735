"""Small loads into a big store: what `llmops watch` does on every change it sees.

    python bench/small_load.py [--spans 10000000] [--loads 10] [--runs 3]

Each load is a new file of 10 benchmark spans (`common.SpanGenerator`), ingested by a fresh
`Ingestor` into a copy of the cockpit benchmark's store (`bench/tui.py`, built once and cached
in bench/.data/), the way `llmops watch` loads what a log file gained. A load holds the
writer's lock from its first statement to its commit, so its time is also how long the cockpit
and other writers wait. No issue sets a target; the figure is kept to catch regressions: the
duplicate check once hashed every stored key here (2.0-2.7 s a load at 10M spans, 0.6-0.7 s
after the fix; bench/RESULTS.md, "the reader and roll-up pass").
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from common import SpanGenerator, flat_record, replace_section  # noqa: E402
from ingest import machine  # noqa: E402
from tui import build_store  # noqa: E402

from llmops_tui.costs import StoreRates  # noqa: E402
from llmops_tui.ingest.pipeline import Ingestor  # noqa: E402
from llmops_tui.pricing import Pricer  # noqa: E402
from llmops_tui.store import Store  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
SPANS_PER_LOAD = 10


def run(store_path: Path, loads: int, work: Path) -> list[float]:
    """Seconds of each load, into a fresh copy of the store."""
    copy = work / "store.duckdb"
    shutil.copyfile(store_path, copy)
    store = Store(copy)
    store.initialise()
    spans = SpanGenerator().spans()
    rates = StoreRates(Pricer())
    seconds = []
    for n in range(loads):
        path = work / f"load-{n}.jsonl"
        batch = [next(spans) for _ in range(SPANS_PER_LOAD)]
        path.write_bytes(b"".join(orjson.dumps(flat_record(s)) + b"\n" for s in batch))
        started = time.perf_counter()
        report = Ingestor(store, rates).ingest([path])
        seconds.append(time.perf_counter() - started)
        if report.spans_loaded != SPANS_PER_LOAD:
            raise SystemExit(
                f"load {n}: {report.spans_loaded} spans loaded, expected {SPANS_PER_LOAD}"
            )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=10_000_000, help="spans in the store")
    parser.add_argument("--loads", type=int, default=10, help="loads per run")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh copy")
    parser.add_argument("--no-write", action="store_true", help="don't update RESULTS.md")
    args = parser.parse_args()

    store_path = build_store(args.spans)
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=store_path.parent) as work:
            runs.append(run(store_path, args.loads, Path(work)))
    medians = [statistics.median(seconds) for seconds in runs]
    every = sorted(s for seconds in runs for s in seconds)
    info = machine()
    start, end = "<!-- bench:small-load -->", "<!-- /bench:small-load -->"
    section = "\n".join(
        [
            start,
            f"## Small loads into a {args.spans:,}-span store (`bench/small_load.py`)",
            "",
            f"- machine: {info['cpu']}, {info['cores']} cores; {info['date']}; duckdb "
            f"{info['duckdb']}; load average before: {info['load']}",
            f"- {args.runs} runs of {args.loads} loads of {SPANS_PER_LOAD} spans, each run on "
            "a fresh copy of the cockpit benchmark's store",
            f"- seconds a load, median of each run: "
            f"{' / '.join(f'{m:.2f}' for m in medians)}; "
            f"median of all {len(every)}: **{statistics.median(every):.2f} s**, "
            f"slowest {every[-1]:.2f} s",
            end,
        ]
    )
    print(section)
    if not args.no_write:
        replace_section(RESULTS, start, end, section)


if __name__ == "__main__":
    main()
