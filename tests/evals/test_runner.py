"""`run_eval` end to end on a tmp project with fake plugins: results, cache, failures,
resume after an interrupt, spans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest

from llmops_tui.config import load_project
from llmops_tui.domain.evals import EvalRun, ProviderRequest, ProviderResponse, RunStatus
from llmops_tui.errors import LlmopsError
from llmops_tui.evals.runner import RunProgress, run_eval
from llmops_tui.plugin_api import ProviderError, hookimpl
from llmops_tui.plugin_manager import load_plugins
from tests.evals.conftest import TOML, EvalEnv, FakePlugin, write_project

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def run(env: EvalEnv, **options: object) -> EvalRun:
    return run_eval(
        env.store,
        env.project,
        env.plugins,
        release_ref="working",
        now=lambda: NOW,
        **options,  # type: ignore[arg-type]
    )


def results(env: EvalEnv, run_id: str) -> pl.DataFrame:
    return env.store.evals.results(run_id)


def test_a_run_stores_one_row_per_case_and_judge_with_answer_cost_and_verdict(
    env: EvalEnv,
) -> None:
    seen: list[RunProgress] = []
    finished = run(env, progress=seen.append)
    assert finished.status is RunStatus.FINISHED
    assert (finished.prompt, finished.prompt_version, finished.dataset) == ("support", 1, "qa")
    assert (finished.provider, finished.model, finished.label) == ("fake", "fake-model", "qa")
    rows = results(env, finished.run_id)
    assert sorted(zip(rows["case_id"], rows["judge"], strict=True)) == [
        ("c1", "has_words"),
        ("c1", "short"),
        ("c2", "has_words"),
        ("c2", "short"),
        ("c3", "has_words"),
        ("c3", "short"),
        ("c4", "has_words"),
        ("c4", "says_bulk"),
        ("c4", "short"),
    ]
    assert rows["passed"].to_list() == [True] * 9
    # 1000 input + 500 output tokens at the project's override: $1 and $2 per million.
    assert rows["cost_usd"].to_list() == pytest.approx([0.002] * 9)
    assert rows.filter(pl.col("case_id") == "c2")["required"].to_list() == [True, True]
    assert rows["cached"].to_list() == [False] * 9
    assert seen[-1].done == seen[-1].total == 4
    assert seen[-1].cost_usd == pytest.approx(0.008)
    request = env.provider.calls[0]
    assert request.messages[0].content.startswith("You are a support bot talking to")
    assert request.params == {"temperature": 0.2}
    assert request.options == {"style": "good"}


def test_a_rerun_answers_from_the_cache_and_reuse_returns_the_finished_run(
    env: EvalEnv,
) -> None:
    first = run(env)
    calls = len(env.provider.calls)
    assert calls == 4
    second = run(env)
    assert len(env.provider.calls) == calls  # zero provider calls
    assert second.run_id != first.run_id
    rows = results(env, second.run_id)
    assert rows["cached"].all()
    assert rows["passed"].all()
    assert rows["cost_usd"].to_list() == pytest.approx([0.002] * 9)  # what the answer cost
    assert run(env, reuse=True).run_id in {first.run_id, second.run_id}
    run(env, use_cache=False)
    assert len(env.provider.calls) == calls + 4


def test_the_provider_precedence_flag_then_suite_then_model_then_config(env: EvalEnv) -> None:
    with pytest.raises(LlmopsError, match="unknown provider 'nope'"):
        run(env, provider="nope")
    assert run(env).provider == "fake"  # the model artifact says `fake`, which is registered


def flaky(fail: Callable[[int], Exception | None]) -> Callable[[ProviderRequest, int], None]:
    def behaviour(request: ProviderRequest, attempt: int) -> None:
        error = fail(attempt) if request.case_id == "c1" else None
        if error is not None:
            raise error

    return behaviour


def test_retryable_errors_are_retried_then_succeed(env: EvalEnv) -> None:
    env.provider.behaviour = flaky(
        lambda n: ProviderError("429 rate limited", retryable=True, status=429) if n < 3 else None
    )
    rows = results(env, run(env).run_id)
    assert rows["error"].is_null().all()
    assert [c.case_id for c in env.provider.calls].count("c1") == 3


def test_every_failure_is_recorded_on_its_case_and_the_run_completes(env: EvalEnv) -> None:
    def behaviour(request: ProviderRequest, attempt: int) -> ProviderResponse | None:
        if request.case_id == "c1":
            raise ProviderError("timed out after 30s", retryable=True)
        if request.case_id == "c2":
            raise ProviderError("internal server error", status=500)
        if request.case_id == "c3":
            return "not a response"  # type: ignore[return-value]
        return None

    env.provider.behaviour = behaviour
    finished = run(env)
    assert finished.status is RunStatus.FINISHED
    rows = results(env, finished.run_id)
    errors = dict(rows.filter(pl.col("judge") == "short").select("case_id", "error").iter_rows())
    assert errors["c1"] == "provider error after 3 attempts: timed out after 30s"
    assert errors["c2"] == "provider error (HTTP 500): internal server error"
    assert errors["c3"].startswith("malformed answer from fake: 'not a response'")
    assert errors["c4"] is None
    assert rows.filter(pl.col("case_id") != "c4")["passed"].is_null().all()
    assert [c.case_id for c in env.provider.calls].count("c1") == 3  # 1 + max_retries


def test_a_missing_variable_is_an_error_of_that_case(env: EvalEnv) -> None:
    write_project(
        env.root,
        cases=[
            {"id": "ok", "vars": {"name": "A", "question": "q"}, "expected": {"must": []}},
            {"id": "bad", "vars": {"question": "q"}, "expected": {"must": []}},
        ],
    )
    rows = results(env, run(env).run_id)
    bad = rows.filter(pl.col("case_id") == "bad")
    assert bad["error"].to_list() == ["render: missing variable 'name'"] * 2
    assert rows.filter(pl.col("case_id") == "ok")["passed"].all()
    assert [c.case_id for c in env.provider.calls] == ["ok"]


def test_an_unparseable_judge_answer_and_a_crashing_judge_are_errors_per_case(
    env: EvalEnv,
) -> None:
    toml = TOML.replace('judges = ["has_words", "short"]', 'judges = ["rubric", "has_words"]')
    toml += '\n[evals.judges.rubric]\ntype = "rubric"\n'
    write_project(env.root, toml=toml)
    env.project = load_project(env.root)

    def behaviour(request: ProviderRequest, attempt: int) -> ProviderResponse | None:
        if request.case_id == "judge:c1":
            return ProviderResponse(text="0.9", latency_ms=5, input_tokens=100, output_tokens=1)
        if request.case_id == "judge:c2":
            return ProviderResponse(text="great answer!", latency_ms=5)
        if request.case_id == "judge:c3":
            raise RuntimeError("judge model exploded")
        return None

    env.provider.behaviour = behaviour
    finished = run(env)
    rows = results(env, finished.run_id).filter(pl.col("judge") == "rubric")
    by_case = {r["case_id"]: r for r in rows.iter_rows(named=True)}
    assert by_case["c1"]["passed"] is True
    assert by_case["c1"]["score"] == 0.9
    assert by_case["c1"]["judge_cost_usd"] == pytest.approx(100e-6 + 2e-6)
    assert by_case["c2"]["passed"] is None
    assert by_case["c2"]["error"] == "judge rubric: can't parse a score from 'great answer!'"
    assert by_case["c3"]["error"] == "judge rubric: fake raised RuntimeError: judge model exploded"
    assert finished.status is RunStatus.FINISHED
    # The judge's own model call is a span too, under the case's trace.
    with env.store.reader() as cur:
        judged = cur.execute(
            "select count(*) from spans where attributes->>'llmops.eval.judge' = 'rubric'"
        ).fetchone()
    assert judged == (4,)


def test_an_interrupted_run_resumes_with_exactly_one_row_per_case_and_judge(
    env: EvalEnv,
) -> None:
    def interrupt(request: ProviderRequest, attempt: int) -> None:
        if len(env.provider.calls) > 2:
            raise KeyboardInterrupt

    env.provider.behaviour = interrupt
    env.plugins = load_plugins(load_entrypoints=False, extra=[("fake", FakePlugin(env.provider))])
    with pytest.raises(KeyboardInterrupt):
        run(env, concurrency=1)
    (interrupted,) = env.store.evals.runs()
    assert interrupted.status is RunStatus.RUNNING
    kept = len(env.store.evals.done(interrupted.run_id))
    assert kept == 2  # the two answers finished before the interrupt were stored
    env.provider.behaviour = None
    resumed = run(env)
    assert resumed.run_id == interrupted.run_id
    assert resumed.status is RunStatus.FINISHED
    rows = results(env, resumed.run_id)
    keys = list(zip(rows["case_id"], rows["repetition"], rows["judge"], strict=True))
    assert len(keys) == len(set(keys)) == 9
    assert rows["passed"].all()


def test_repetitions_multiply_the_rows(env: EvalEnv) -> None:
    rows = results(env, run(env, repeat=3).run_id)
    assert rows.height == 27
    assert sorted(set(rows["repetition"])) == [0, 1, 2]
    assert len(env.provider.calls) == 12


def test_provider_calls_are_stored_as_eval_spans(env: EvalEnv) -> None:
    finished = run(env)
    rows = results(env, finished.run_id)
    with env.store.reader() as cur:
        spans = cur.execute(
            "select trace_id, span_id, environment, release_id, prompt_name, prompt_version,"
            " request_model, input_tokens, cost_usd, attributes->>'llmops.eval.run_id',"
            " attributes->>'llmops.eval.case_id' from spans order by 11"
        ).fetchall()
    assert len(spans) == 4
    assert {s[2:8] for s in spans} == {
        ("eval", finished.release_id, "support", "v1", "fake-model", 1000)
    }
    assert [s[8] for s in spans] == pytest.approx([0.002] * 4)
    assert [s[9] for s in spans] == [finished.run_id] * 4
    assert [s[10] for s in spans] == ["c1", "c2", "c3", "c4"]
    c1 = rows.filter(pl.col("case_id") == "c1").row(0, named=True)
    assert (c1["trace_id"], c1["span_id"]) == spans[0][:2]


def test_eval_run_finished_is_notified_and_a_failing_hook_only_warns(env: EvalEnv) -> None:
    seen: list[EvalRun] = []

    class Listener:
        @hookimpl
        def eval_run_finished(self, run: EvalRun) -> None:
            seen.append(run)

    class Broken:
        @hookimpl
        def eval_run_finished(self, run: EvalRun) -> None:
            raise RuntimeError("webhook down")

    env.plugins = load_plugins(
        load_entrypoints=False,
        extra=[("fake", FakePlugin(env.provider)), ("listener", Listener()), ("broken", Broken())],
    )
    finished = run(env)
    assert [r.run_id for r in seen] == [finished.run_id]
    assert seen[0].status is RunStatus.FINISHED
    assert any("broken" in w and "webhook down" in w for w in env.plugins.warnings)


def test_unknown_judge_types_and_refs_stop_before_any_call(env: EvalEnv) -> None:
    write_project(env.root, toml=TOML.replace('type = "max_words"', 'type = "max_wrds"'))
    env.project = load_project(env.root)
    with pytest.raises(LlmopsError, match="unknown judge 'max_wrds' \\(did you mean 'max_words'"):
        run(env)
    with pytest.raises(LlmopsError, match="unknown suite"):
        run(env, suite="nope")
    assert env.provider.calls == []


def test_llm_judge_calls_are_cached_too_so_a_rerun_makes_no_call_at_all(env: EvalEnv) -> None:
    toml = TOML.replace('judges = ["has_words", "short"]', 'judges = ["rubric"]')
    write_project(env.root, toml=toml + '\n[evals.judges.rubric]\ntype = "rubric"\n')
    env.project = load_project(env.root)

    def behaviour(request: ProviderRequest, attempt: int) -> ProviderResponse | None:
        if request.case_id and request.case_id.startswith("judge:"):
            return ProviderResponse(text="0.8", latency_ms=5, input_tokens=100, output_tokens=1)
        return None

    env.provider.behaviour = behaviour
    rubric = pl.col("judge") == "rubric"
    first = results(env, run(env).run_id).filter(rubric)
    assert len(env.provider.calls) == 8  # four answers, four judge calls
    second = results(env, run(env).run_id)
    assert len(env.provider.calls) == 8
    assert second["cached"].all()
    second = second.filter(rubric)
    assert second["score"].to_list() == first["score"].to_list() == [0.8] * 4
    assert second["judge_cost_usd"].to_list() == pytest.approx([102e-6] * 4)


def test_a_case_judge_of_an_unknown_type_is_an_error_of_that_case_only(env: EvalEnv) -> None:
    cases: list[dict[str, Any]] = [
        {"id": "a", "vars": {"name": "A", "question": "q"}, "expected": {"must": []}},
        {
            "id": "b",
            "vars": {"name": "B", "question": "q"},
            "expected": {"must": []},
            "judges": [{"type": "no_such_judge"}],
        },
    ]
    write_project(env.root, cases=cases)
    rows = results(env, run(env).run_id)
    odd = rows.filter(pl.col("judge") == "no_such_judge").row(0, named=True)
    assert odd["case_id"] == "b"
    assert odd["passed"] is None
    assert odd["error"].startswith("judge no_such_judge: unknown judge 'no_such_judge'")
    assert rows.filter(pl.col("judge") != "no_such_judge")["passed"].all()


def test_the_dataset_flag_picks_a_registered_version(env: EvalEnv) -> None:
    first = run(env)
    write_project(
        env.root,
        cases=[{"id": "new", "vars": {"name": "N", "question": "q"}, "expected": {"must": []}}],
    )
    newest = run(env)
    assert (newest.dataset_version, results(env, newest.run_id)["case_id"].unique().to_list()) == (
        2,
        ["new"],
    )
    again = run(env, dataset="qa@v1")
    assert again.dataset_version == first.dataset_version == 1
    assert sorted(results(env, again.run_id)["case_id"].unique()) == ["c1", "c2", "c3", "c4"]


def test_provider_precedence_suite_over_model_over_config(env: EvalEnv) -> None:
    class Second:
        name = "second"
        description = "another provider"

        def complete(self, request: ProviderRequest) -> ProviderResponse:
            return ProviderResponse(text="tracking refund password bulk", latency_ms=1)

    class Register:
        @hookimpl
        def register_providers(self, register: Callable[[object], None]) -> None:
            register(Second())

    env.plugins = load_plugins(
        load_entrypoints=False, extra=[("fake", FakePlugin(env.provider)), ("second", Register())]
    )
    assert run(env).provider == "fake"  # the model file's provider, registered
    assert run(env, provider="second").provider == "second"  # the flag wins
    write_project(
        env.root,
        toml=TOML.replace('model = "default"\n', 'model = "default"\nprovider = "second"\n'),
    )
    env.project = load_project(env.root)
    assert run(env).provider == "second"  # the suite's beats the model file's
    (env.root / "models" / "default.yaml").write_text("provider: unknown\nmodel: m\n")
    write_project(env.root, toml=TOML)
    (env.root / "models" / "default.yaml").write_text("provider: unknown\nmodel: m\n")
    env.project = load_project(env.root)
    assert run(env).provider == "fake"  # the model's isn't loaded: [evals] provider
