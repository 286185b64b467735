"""`llmops ingest` loads promptfoo, inspect-ai and OpenAI Evals files into eval runs.

The inspect-ai and OpenAI Evals files are the real ones in ../shared/fixtures (read in place);
the promptfoo files in tests/ingest/data were written for these tests in the shape of real
promptfoo 0.118 output (version 3) and of the older version 2 (`table`).
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from llmops_tui.domain.evals import RunSource, RunStatus
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.ingest.sniff import TraceFormat
from llmops_tui.store import Store
from tests.ingest.spans import flat_span, jsonl

DATA = Path(__file__).parent / "data"
POPULARITY = "inspect-ai/2025-05-12T20-28-13-04-00_popularity.json"
OAIEVAL = "openai-evals/oaieval-test-match.record.jsonl"
RESULT_SQL = """
select case_id, repetition, judge, passed, score, output, input_tokens, output_tokens,
       latency_ms, cost_usd, error
from eval_results where run_id = ? order by case_id, repetition, judge
"""


def _rows(store: Store, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with store.reader() as cur:
        return cur.execute(sql, list(params)).fetchall()


def _count(store: Store, table: str) -> int:
    return int(_rows(store, f"select count(*) from {table}")[0][0])


# ---------------------------------------------------------------- inspect-ai


def test_inspect_json_log_is_one_run_with_a_result_per_sample_and_scorer(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    path = shared_fixtures / POPULARITY
    report = ingestor.ingest([path])

    assert report.files[0].format == "inspect-ai"
    assert (report.eval_runs, report.eval_results, report.spans_loaded) == (1, 3, 0)
    run = store.evals.get("VnKtvCqGnnegLQ7qSBFDzx")  # eval.eval_id
    assert run.source is RunSource.INSPECT_AI
    assert run.status is RunStatus.FAILED  # the log says "cancelled"
    assert run.config["inspect_status"] == "cancelled"
    assert run.config["run_id"] == "7KyCuAQSqp76qKQZEKmG6M"
    assert (run.label, run.dataset, run.provider, run.model) == (
        "popularity",
        "popularity",
        "openai",
        "gpt-4o-mini",
    )
    assert run.started_at == datetime(2025, 5, 13, 0, 28, 13, tzinfo=UTC)  # -04:00 in the log
    assert run.finished_at == datetime(2025, 5, 13, 0, 28, 15, tzinfo=UTC)
    assert run.source_path == str(path.resolve())
    assert run.config["results"]["scores"][0]["metrics"]["accuracy"]["value"] == pytest.approx(
        2 / 3
    )
    assert _rows(store, RESULT_SQL, run.run_id) == [
        ("1", 0, "match", True, 1.0, "Yes", 64, 2, 664.0, None, None),
        ("2", 0, "match", True, 1.0, "No", 58, 2, 1775.0, None, None),
        ("3", 0, "match", False, 0.0, "No", 70, 2, 657.0, None, None),
    ]
    assert store.evals.results(run.run_id)["passed"].to_list() == [True, True, False]
    # The per-sample tokens add up to the log's own total.
    usage = json.loads(path.read_text())["stats"]["model_usage"]["openai/gpt-4o-mini"]
    totals = _rows(
        store,
        "select sum(input_tokens), sum(output_tokens) from eval_results where run_id = ?",
        run.run_id,
    )
    assert totals == [(usage["input_tokens"], usage["output_tokens"])]
    (expected, reason) = _rows(
        store, "select expected::varchar, reason from eval_results where case_id = '3'"
    )[0]
    assert json.loads(expected) == " Yes"
    assert reason == "answer: No\nNo"


def test_inspect_eval_zip_reads_header_and_samples(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    report = ingestor.ingest([shared_fixtures / "inspect-ai" / "log_read_sample.eval"])

    assert report.files[0].format == "inspect-ai"
    assert (report.eval_runs, report.eval_results) == (1, 1)
    run = store.evals.get("C3pqnFnsCUx6ZpmsRU9Ape")
    assert (run.status, run.provider, run.model, run.label) == (
        RunStatus.FINISHED,
        "ollama",
        "gemma3",
        "popularity",
    )
    assert run.started_at == datetime(2025, 7, 5, 13, 59, 48, tzinfo=UTC)
    assert _rows(store, RESULT_SQL, run.run_id) == [
        ("1", 0, "match", True, 1.0, "Yes\n", 66, 3, 413.0, None, None)
    ]


def test_inspect_json_and_eval_of_one_family_are_two_runs(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    folder = shared_fixtures / "inspect-ai"
    ingestor.ingest([folder / "log_read_sample.json", folder / "log_read_sample.eval"])
    runs = _rows(store, "select run_id, model from eval_runs order by run_id")
    assert runs == [("C3pqnFnsCUx6ZpmsRU9Ape", "gemma3"), ("hj8C8q8gxzHhwyCT67xh4L", "gemma3")]
    assert _rows(store, RESULT_SQL, "hj8C8q8gxzHhwyCT67xh4L") == [
        ("1", 0, "match", True, 1.0, "Yes\n", 66, 3, 2113.0, None, None)
    ]


def test_inspect_exclusive_cache_tokens_become_inclusive_and_cost_is_kept(
    shared_fixtures: Path, ingestor: Ingestor, store: Store, tmp_path: Path
) -> None:
    log = json.loads((shared_fixtures / POPULARITY).read_text())
    usage = log["samples"][0]["model_usage"]["openai/gpt-4o-mini"]
    usage.update(input_tokens_cache_read=40, input_tokens_cache_write=8, total_cost=0.0125)
    log["eval"]["eval_id"] = "cached-variant"
    path = tmp_path / "cached.json"
    path.write_text(json.dumps(log))

    ingestor.ingest([path])

    assert _rows(
        store,
        "select input_tokens, output_tokens, cost_usd from eval_results "
        "where run_id = 'cached-variant' and case_id = '1'",
    ) == [(64 + 40 + 8, 2, 0.0125)]


# ---------------------------------------------------------------- OpenAI Evals


def test_openai_evals_record_file_is_one_run_with_a_result_per_match(
    shared_fixtures: Path, ingestor: Ingestor, store: Store
) -> None:
    report = ingestor.ingest([shared_fixtures / OAIEVAL])

    assert report.files[0].format == "openai-evals"
    assert (report.eval_runs, report.eval_results) == (1, 3)
    run = store.evals.get("230417220821DPM75QNS")
    assert run.source is RunSource.OPENAI_EVALS
    assert run.status is RunStatus.FINISHED  # it has a final report
    assert (run.label, run.model, run.dataset) == (
        "test-match.s1.simple-v0",
        "auto_gpt_completion_fn",
        "s1",
    )
    assert run.config["final_report"] == {"accuracy": pytest.approx(1 / 3)}
    assert run.started_at == datetime(2023, 4, 17, 22, 8, 21, 904498, tzinfo=UTC)
    assert run.finished_at == datetime(2023, 4, 17, 22, 12, 4, 691064, tzinfo=UTC)
    assert _rows(store, RESULT_SQL, run.run_id) == [
        (
            "test-match.s1.0",
            0,
            "match",
            False,
            0.0,
            "Once upon a time",
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "test-match.s1.1",
            0,
            "match",
            True,
            1.0,
            "George Washington",
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "test-match.s1.2",
            0,
            "match",
            False,
            0.0,
            "OpenAI was founded in 2015.2015",
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    (inp, expected) = _rows(
        store,
        "select input::varchar, expected::varchar from eval_results where case_id = ?",
        "test-match.s1.1",
    )[0]
    assert json.loads(inp)["prompt"].endswith("User: The first US president was \nAssistant: ")
    assert json.loads(expected) == "George Washington"


def test_openai_evals_half_written_last_line_waits_for_the_next_pass(
    shared_fixtures: Path, ingestor: Ingestor, store: Store, tmp_path: Path
) -> None:
    lines = (shared_fixtures / OAIEVAL).read_bytes().splitlines(keepends=True)
    path = tmp_path / "running.jsonl"
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][:40])  # the last match cut mid-line

    first = ingestor.ingest([path])

    assert first.files[0].held_back
    assert first.eval_results == 2
    path.write_bytes(b"".join(lines))
    second = ingestor.ingest([path])
    assert second.eval_results == 1  # the completed line; nothing twice
    assert _count(store, "eval_results") == 3
    assert ingestor.ingest([path]).files[0].status == "unchanged"


# ---------------------------------------------------------------- promptfoo


def test_promptfoo_v3_is_one_run_per_prompt_and_provider(ingestor: Ingestor, store: Store) -> None:
    report = ingestor.ingest([DATA / "promptfoo-v3.json"])

    assert report.files[0].format == "promptfoo"
    assert (report.eval_runs, report.eval_results) == (2, 4)
    mini = store.evals.get("eval-7Qm-2025-09-14T08:31:02/0")
    haiku = store.evals.get("eval-7Qm-2025-09-14T08:31:02/1")
    assert (mini.provider, mini.model) == ("openai", "gpt-4o-mini")
    assert (haiku.provider, haiku.model) == ("anthropic", "claude-3-5-haiku-20241022")
    assert mini.label == "Capital cities, two providers"
    assert mini.prompt == "Which country is {{city}} in? Answer briefly."
    assert mini.created_by == "dana@example.com"
    assert mini.started_at == datetime(2025, 9, 14, 8, 31, 2, 417000, tzinfo=UTC)
    assert mini.finished_at == datetime(2025, 9, 14, 8, 31, 34, 294000, tzinfo=UTC)  # +31877 ms
    assert mini.config["metrics"]["testPassCount"] == 1
    assert _rows(store, RESULT_SQL, mini.run_id) == [
        (
            "test-0",
            0,
            "promptfoo",
            True,
            1.0,
            "Lisbon is in Portugal.",
            24,
            6,
            812.0,
            7.2e-06,
            None,
        ),
        (
            "test-1",
            0,
            "promptfoo",
            False,
            pytest.approx(2 / 3),
            "Kyoto is a city in Japan, famous for its temples. "
            "It was the capital for over a thousand years.",
            24,
            22,
            1490.0,
            1.68e-05,
            None,  # promptfoo writes `error` for assertion failures too: not an error here
        ),
    ]
    assert _rows(store, RESULT_SQL, haiku.run_id) == [
        (
            "test-0",
            0,
            "promptfoo",
            False,
            pytest.approx(2 / 3),
            "Portugal.",
            27,
            5,
            5120.0,
            4.16e-05,
            None,
        ),
        (
            "test-1",
            0,
            "promptfoo",
            None,
            None,
            None,
            None,
            None,
            30021.0,
            0.0,
            "API call error: Error: Request failed after 4 retries: 529 Overloaded",
        ),
    ]


def test_promptfoo_reason_lists_every_assertion_and_cached_answers_are_marked(
    ingestor: Ingestor, store: Store
) -> None:
    ingestor.ingest([DATA / "promptfoo-v3.json"])
    reason, cached, expected = _rows(
        store,
        "select reason, cached, expected::varchar from eval_results "
        "where run_id = 'eval-7Qm-2025-09-14T08:31:02/1' and case_id = 'test-0'",
    )[0]
    assert reason.splitlines() == [
        "Latency 5120ms is greater than threshold 4000ms",
        "- latency 4000: FAIL 0 — Latency 5120ms is greater than threshold 4000ms",
        "- icontains portugal: PASS 1 — Assertion passed",
        "- llm-rubric Answers in one sentence: PASS 1 — One word answer is one sentence.",
    ]
    assert cached is True
    assert [a["type"] for a in json.loads(expected)] == ["latency", "icontains", "llm-rubric"]


def test_promptfoo_v2_table_file_without_ids_gets_stable_ids(tmp_path: Path, rates: Any) -> None:
    run_ids = []
    for name in ("a", "b"):
        store = Store(tmp_path / f"{name}.duckdb")
        store.initialise()
        report = Ingestor(store, rates).ingest([DATA / "promptfoo-v2.json"])
        assert (report.eval_runs, report.eval_results) == (1, 2)
        (run,) = store.evals.runs()
        run_ids.append(run.run_id)
        rows = _rows(store, RESULT_SQL, run.run_id)
        assert [(r[0].startswith("vars-"), r[3], r[5]) for r in rows] == [
            (True, False, "Berlin is in Austria."),
            (True, True, "Oui, Paris est en France."),
        ]
        assert (run.model, run.prompt, run.config["summaryVersion"]) == (
            "gpt-3.5-turbo",
            "Where is {{city}}?",
            2,
        )
    assert run_ids[0] == run_ids[1]
    assert run_ids[0].startswith("promptfoo-")


def test_promptfoo_repeat_numbers_the_answers_of_one_test(
    ingestor: Ingestor, store: Store, tmp_path: Path
) -> None:
    doc = json.loads((DATA / "promptfoo-v3.json").read_text())
    cells = [c for c in doc["results"]["results"] if c["promptIdx"] == 0]
    doc["results"]["results"] = cells + [dict(c, id=c["id"] + "-r") for c in cells]
    path = tmp_path / "repeat.json"
    path.write_text(json.dumps(doc))

    ingestor.ingest([path])

    run = store.evals.get("eval-7Qm-2025-09-14T08:31:02")  # one column: the eval's own id
    assert run.repeat == 2
    assert _rows(store, "select case_id, repetition from eval_results order by 1, 2") == [
        ("test-0", 0),
        ("test-0", 1),
        ("test-1", 0),
        ("test-1", 1),
    ]


# ---------------------------------------------------------------- idempotency, mixing


def _all_eval_files(shared_fixtures: Path) -> list[Path]:
    return [
        shared_fixtures / POPULARITY,
        shared_fixtures / "inspect-ai" / "log_read_sample.json",
        shared_fixtures / "inspect-ai" / "log_read_sample.eval",
        shared_fixtures / OAIEVAL,
        DATA / "promptfoo-v3.json",
        DATA / "promptfoo-v2.json",
    ]


def test_re_ingesting_eval_files_adds_nothing(
    shared_fixtures: Path, ingestor: Ingestor, store: Store, tmp_path: Path
) -> None:
    files = _all_eval_files(shared_fixtures)
    first = ingestor.ingest(files)
    assert (first.eval_runs, first.eval_results) == (7, 14)

    again = ingestor.ingest(files)

    assert [f.status for f in again.files] == ["unchanged"] * len(files)
    assert (again.eval_runs, again.eval_results) == (0, 0)
    # A copy elsewhere is a new file to the checkpoints but the same results to the store.
    copy = tmp_path / "copy.json"
    shutil.copyfile(shared_fixtures / POPULARITY, copy)
    copied = ingestor.ingest([copy])
    assert (copied.eval_results, copied.duplicates) == (0, 3)
    assert (_count(store, "eval_runs"), _count(store, "eval_results")) == (7, 14)


def test_a_folder_of_traces_and_eval_files_loads_both(
    shared_fixtures: Path, ingestor: Ingestor, store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "spans.jsonl").write_bytes(jsonl([flat_span(n) for n in range(5)]))
    for source in (shared_fixtures / POPULARITY, shared_fixtures / OAIEVAL):
        shutil.copy(source, folder / source.name)
    shutil.copy(shared_fixtures / "inspect-ai" / "log_read_sample.eval", folder / "log.eval")
    with gzip.open(folder / "promptfoo.json.gz", "wb") as packed:
        packed.write((DATA / "promptfoo-v3.json").read_bytes())

    report = ingestor.ingest([folder])

    assert sorted((Path(f.path).name, f.format) for f in report.files) == [
        ("2025-05-12T20-28-13-04-00_popularity.json", "inspect-ai"),
        ("log.eval", "inspect-ai"),
        ("oaieval-test-match.record.jsonl", "openai-evals"),
        ("promptfoo.json.gz", "promptfoo"),
        ("spans.jsonl", "flat"),
    ]
    assert (report.spans_loaded, report.eval_runs, report.eval_results) == (5, 5, 11)
    assert _count(store, "spans") == 5
    assert ingestor.ingest([folder]).eval_results == 0


# ---------------------------------------------------------------- bad files


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bad_files(shared_fixtures: Path) -> dict[str, tuple[bytes, str]]:
    popularity = (shared_fixtures / POPULARITY).read_bytes()
    promptfoo = json.loads((DATA / "promptfoo-v3.json").read_text())
    promptfoo["results"]["results"][1]["success"] = "yes"
    inspect_log = json.loads(popularity)
    inspect_log["samples"][2]["scores"]["match"]["value"] = [1, 0]
    record = (shared_fixtures / OAIEVAL).read_bytes().splitlines()
    return {
        "truncated.json": (
            popularity[: len(popularity) // 2],
            "not valid JSON",
        ),
        "headless.eval": (
            _zip({"samples/1_epoch_1.json": b"{}", "_journal/start.json": b"{}"}),
            "header.json: missing",
        ),
        "not-a-zip.eval": (b"PK\x03\x04 broken", "not a readable ZIP archive"),
        "wrong-type.json": (
            json.dumps(promptfoo).encode(),
            'results.results[1].success: expected true or false, got "yes"',
        ),
        "list-score.json": (
            json.dumps(inspect_log).encode(),
            "samples[2].scores.match.value: expected C, I, P, N, a number or a boolean, got a list",
        ),
        "bad-line.jsonl": (
            b"\n".join([*record[:3], b'{"run_id": oops', *record[3:]]) + b"\n",
            ":4: not valid JSON",
        ),
        "no-spec.jsonl": (b"\n".join(record[1:]) + b"\n", "spec: missing"),
    }


def test_a_malformed_eval_file_fails_whole_with_one_line(
    shared_fixtures: Path, ingestor: Ingestor, store: Store, tmp_path: Path
) -> None:
    bad = _bad_files(shared_fixtures)
    paths = []
    for name, (data, _) in bad.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)

    report = ingestor.ingest(paths)

    for f, (name, (_, reason)) in zip(report.files, bad.items(), strict=True):
        assert f.status == "failed", name
        assert f.error is not None
        assert f.error.startswith(str(tmp_path / name)), f.error
        assert reason in f.error, f.error
        assert "\n" not in f.error
        assert "Traceback" not in f.error
    assert report.exit_code(strict=False) == 2
    assert (_count(store, "eval_runs"), _count(store, "eval_results")) == (0, 0)
    assert all(f.status == "failed" for f in ingestor.ingest(paths).files)  # no checkpoint


def test_truncated_json_names_the_line(
    shared_fixtures: Path, ingestor: Ingestor, tmp_path: Path
) -> None:
    text = (shared_fixtures / POPULARITY).read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    (f,) = ingestor.ingest([path]).files
    lines = text[: len(text) // 2].count("\n") + 1
    assert f.error is not None
    assert f.error.startswith(f"{path}:{lines}: not valid JSON")


def test_forced_format_overrides_sniffing(shared_fixtures: Path, store: Store, rates: Any) -> None:
    forced = Ingestor(store, rates, forced_format=TraceFormat.OPENAI_EVALS)
    (f,) = forced.ingest([DATA / "promptfoo-v3.json"]).files
    assert f.status == "failed"
    assert f.error is not None
    assert "not valid JSON" in f.error
    assert "\n" not in f.error
    as_inspect = Ingestor(store, rates, forced_format=TraceFormat.INSPECT_AI)
    report = as_inspect.ingest([shared_fixtures / "inspect-ai" / "log_read_sample.eval"])
    assert report.eval_results == 1
