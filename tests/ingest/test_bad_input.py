"""Bad input: a clear one-line reason per rejected line, the rest loads, nothing stored changes."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from llmops_tui.ingest.pipeline import SLICE_BYTES, Ingestor
from llmops_tui.store import Store
from tests.ingest.spans import flat_span, jsonl, otlp_line


def _table(store: Store) -> list[tuple[Any, ...]]:
    with store.reader() as cur:
        return cur.execute("select * exclude (ingested_at) from spans order by span_id").fetchall()


def _reasons(store: Store) -> dict[int, str]:
    with store.reader() as cur:
        return dict(cur.execute("select line, reason from ingest_rejects").fetchall())


@pytest.fixture
def preloaded(tmp_path: Path, ingestor: Ingestor, store: Store) -> list[tuple[Any, ...]]:
    """Spans already stored before the bad input arrives; they must never change."""
    path = tmp_path / "good.jsonl"
    path.write_bytes(jsonl([flat_span(n) for n in range(5)]))
    assert ingestor.ingest([path]).spans_loaded == 5
    return _table(store)


def test_bad_lines_are_rejected_with_line_numbers_and_the_rest_loads(
    tmp_path: Path, ingestor: Ingestor, store: Store, preloaded: list[tuple[Any, ...]]
) -> None:
    lines = [
        orjson.dumps(flat_span(10)),
        b"this is not json",
        orjson.dumps(flat_span(11))[:-20],  # truncated
        orjson.dumps(flat_span(12, attributes={"gen_ai.usage.input_tokens": "abc"})),
        orjson.dumps(flat_span(13, attributes={"gen_ai.usage.output_tokens": -5})),
        orjson.dumps({k: v for k, v in flat_span(14).items() if k != "trace_id"}),
        orjson.dumps(flat_span(15, span_id="xyz")),
        orjson.dumps(flat_span(16, start_time="last tuesday")),
        orjson.dumps(flat_span(17, end_time=1)),
        b"[1, 2, 3]",
        b"\xff\xfe garbage bytes \x00",
        orjson.dumps(flat_span(18)),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    report = ingestor.ingest([path])

    assert report.spans_loaded == 2
    assert report.rejects == 10
    assert report.exit_code(strict=False) == 0
    assert report.exit_code(strict=True) == 1
    reasons = _reasons(store)
    assert reasons[2] == "not valid JSON"
    assert reasons[3] == "not valid JSON"
    assert reasons[4].endswith(
        "gen_ai.usage.input_tokens: expected a non-negative integer, got 'abc'"
    )
    assert reasons[5].endswith(
        "gen_ai.usage.output_tokens: expected a non-negative integer, got '-5'"
    )
    assert reasons[6].endswith("trace_id: missing")
    assert reasons[7].endswith("span_id: expected 16 hex characters, got 'xyz'")
    assert "start_time: expected an ISO-8601 time" in reasons[8]
    assert "end_time" in reasons[9]
    assert reasons[10] == "expected a JSON object, got array"
    assert reasons[11].startswith("not valid UTF-8 text")
    assert all("\n" not in r for r in reasons.values())
    kept = {r[1] for r in preloaded}
    assert [r for r in _table(store) if r[1] in kept] == preloaded


def test_tokens_as_strings_and_times_in_any_epoch_unit_load_to_the_same_values(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    ns = 1_767_225_600_123_456_000
    variants = [
        flat_span(1, start_time=ns, end_time=ns + 2_000_000_000),
        flat_span(2, start_time=ns // 1000, end_time=(ns + 2_000_000_000) // 1000),
        flat_span(3, start_time=ns / 1e9, end_time=(ns + 2_000_000_000) / 1e9),
        flat_span(
            4, start_time="2026-01-01T00:00:00.123456Z", end_time="2026-01-01T02:00:02.123456+02:00"
        ),
        flat_span(5, start_time=str(ns), end_time=str(ns + 2_000_000_000)),
    ]
    variants[0]["attributes"]["gen_ai.usage.input_tokens"] = "1201"
    path = tmp_path / "times.jsonl"
    path.write_bytes(jsonl(variants))
    assert ingestor.ingest([path]).rejects == 0
    with store.reader() as cur:
        rows = cur.execute(
            "select start_time, round(duration_ms), input_tokens from spans order by span_id"
        ).fetchall()
    assert {r[0].isoformat(timespec="milliseconds") for r in rows} == {"2026-01-01T00:00:00.123"}
    assert {r[1] for r in rows} == {2000.0}
    assert {r[2] for r in rows} >= {1201}


def test_a_20_mb_valid_line_loads_and_20_mb_of_garbage_is_rejected(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    big_text = "x" * 2_000_000
    spans = [flat_span(n, attributes={"gen_ai.input.messages": big_text}) for n in range(10)]
    line = orjson.dumps(otlp_line(spans))
    assert len(line) > 20_000_000
    garbage = b"{" + b"\x01garbage" * 2_600_000
    path = tmp_path / "big.jsonl"
    path.write_bytes(line + b"\n" + garbage + b"\n")

    report = ingestor.ingest([path])

    assert report.spans_loaded == 10
    assert report.rejects == 1
    assert _reasons(store)[2] == "not valid JSON"
    with store.reader() as cur:
        (length,) = cur.execute("select min(length(input_text)) from spans").fetchone() or (0,)
    assert length == len(big_text)


def test_a_single_20_mb_span_loads_whole(tmp_path: Path, ingestor: Ingestor, store: Store) -> None:
    """One record that size needs more memory than a load of typical spans is given; it
    comes after several slices of typical spans, so the limit rises while the insert runs."""
    text = "x" * 20_000_000
    typical = [flat_span(n) for n in range(20_000)]
    path = tmp_path / "long-conversation.jsonl"
    path.write_bytes(
        jsonl([*typical, flat_span(20_000, attributes={"gen_ai.input.messages": text})])
    )
    assert path.stat().st_size - len(text) > 3 * SLICE_BYTES

    report = ingestor.ingest([path])

    assert (report.spans_loaded, report.rejects) == (len(typical) + 1, 0)
    with store.reader() as cur:
        (length,) = cur.execute("select max(length(input_text)) from spans").fetchone() or (0,)
    assert length == len(text)


def test_binary_garbage_empty_and_unreadable_files(
    tmp_path: Path, ingestor: Ingestor, store: Store, preloaded: list[tuple[Any, ...]]
) -> None:
    binary = tmp_path / "noise.bin"
    binary.write_bytes(os.urandom(4096).replace(b"\x0a", b"") + b"\x00" * 16)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    missing = tmp_path / "gone.jsonl"
    missing.symlink_to(tmp_path / "nowhere.jsonl")

    report = ingestor.ingest([binary, empty, missing])

    statuses = [f.status for f in report.files]
    assert statuses == ["failed", "empty", "failed"]
    assert report.files[0].error is not None
    assert "not a trace file" in report.files[0].error
    assert report.files[2].error is not None
    assert "cannot read" in report.files[2].error
    assert all("\n" not in (f.error or "") for f in report.files)
    assert report.exit_code(strict=False) == 2
    assert _table(store) == preloaded


def test_bom_crlf_and_gzip_are_read_like_plain_lines(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + jsonl([flat_span(1), flat_span(2)]))
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(jsonl([flat_span(3), flat_span(4)], newline=b"\r\n"))
    packed = tmp_path / "packed.jsonl.gz"
    packed.write_bytes(gzip.compress(b"\xef\xbb\xbf" + jsonl([flat_span(5), flat_span(6)])))

    report = ingestor.ingest([bom, crlf, packed])

    assert [f.spans_loaded for f in report.files] == [2, 2, 2]
    assert report.rejects == 0


def test_a_rejected_line_keeps_its_text_without_its_line_end(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    """Lines reach the store with their line ends (no copy); the excerpt a reject keeps is
    the line as the user wrote it."""
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(jsonl([flat_span(1)], newline=b"\r\n") + b"not json\r\n[1, 2]\n")

    ingestor.ingest([path])

    with store.reader() as cur:
        rows = cur.execute("select line, excerpt from ingest_rejects order by line").fetchall()
    assert rows == [(2, "not json"), (3, "[1, 2]")]


def test_a_folder_of_mixed_formats_is_read_recursively(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "flat.jsonl").write_bytes(jsonl([flat_span(1)]))
    (tmp_path / "a" / "b" / "otlp.json").write_bytes(orjson.dumps(otlp_line([flat_span(2)])))
    (tmp_path / "a" / "b" / "otlp.jsonl.gz").write_bytes(
        gzip.compress(orjson.dumps(otlp_line([flat_span(3)])) + b"\n")
    )
    (tmp_path / "a" / "notes.md").write_text("# not a trace file, skipped by the folder walk")

    report = ingestor.ingest([tmp_path / "a"])

    assert {Path(f.path).name: f.format for f in report.files} == {
        "flat.jsonl": "flat",
        "otlp.json": "otlp-json",
        "otlp.jsonl.gz": "otlp-json",
    }
    assert report.spans_loaded == 3


def test_an_epoch_too_large_for_any_unit_is_a_reject_not_a_failed_load(
    tmp_path: Path, ingestor: Ingestor, store: Store
) -> None:
    path = tmp_path / "far.jsonl"
    path.write_bytes(
        jsonl(
            [
                flat_span(1),
                flat_span(2, start_time=str(10**25), end_time=None),
                flat_span(3, start_time=str(-(10**19)), end_time=None),
            ]
        )
    )
    (file,) = ingestor.ingest([path]).files
    assert (file.spans_loaded, file.rejects) == (1, 2)
    assert all("start_time: expected" in r.reason for r in file.first_rejects)
