"""`llmops_cost`: spans priced on the way in, linear, tiered, unpriced or reported, and the
same function re-pricing what is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from llmops_tui.ingest.batch import Batch
from llmops_tui.ingest.pipeline import Ingestor
from llmops_tui.store import Store
from llmops_tui.store.span_costs import SpanCosts
from tests.ingest.spans import flat_span, jsonl, jsonl_chunk

INPUT_RATE, OUTPUT_RATE, TIER_RATE = 1e-6, 4e-6, 1e-3


class FakeRates:
    """Linear rates for every model but `tiered-model` (priced span by span) and `unknown`
    (no price), counting what it was asked."""

    def __init__(self) -> None:
        self.tables_asked = 0
        self.largest_table = 0
        self.rows_priced = 0

    def rate_table(self, keys: pl.DataFrame) -> pl.DataFrame:
        self.tables_asked += 1
        self.largest_table = max(self.largest_table, keys.height)
        model = pl.coalesce("response_model", "request_model")
        return keys.with_columns(
            per_request=pl.lit(0.0),
            input=pl.lit(INPUT_RATE),
            cache_read=pl.lit(INPUT_RATE / 2),
            cache_write=pl.lit(INPUT_RATE * 2),
            output=pl.lit(OUTPUT_RATE),
            reasoning=pl.lit(OUTPUT_RATE),
            priced=model != "unknown",
            tiered=model == "tiered-model",
        )

    def price_rows(self, rows: pl.DataFrame) -> pl.DataFrame:
        self.rows_priced += rows.height
        # Above 1,500 input tokens the tier has no price: such spans are unpriced.
        return rows.select(
            "row_key",
            pl.when(pl.col("input_tokens") <= 1500)
            .then(pl.col("input_tokens") * TIER_RATE)
            .alias("cost_usd"),
        )


def _span(n: int, model: str, **attributes: object) -> dict[str, object]:
    span = flat_span(n)
    span["attributes"] = span["attributes"] | {
        "gen_ai.request.model": model,
        "gen_ai.response.model": model,
        **attributes,
    }
    return span


def _load(store: Store, rates: FakeRates, spans: list[dict[str, object]]) -> None:
    batch = Batch()
    batch.lines("/tmp/costs.jsonl", 1, *jsonl_chunk(spans))
    store.spans.load(batch.table(), rates=rates, checkpoints=[], ingested_at=datetime(2026, 1, 1))


def _costs(store: Store) -> dict[str, tuple[float | None, str | None]]:
    with store.reader() as cur:
        rows = cur.execute(
            "select request_model, input_tokens, cost_usd, cost_source from spans"
        ).fetchall()
    return {f"{model}:{tokens}": (cost, source) for model, tokens, cost, source in rows}


def test_each_span_is_priced_by_its_own_kind_of_price(store: Store) -> None:
    rates = FakeRates()
    _load(
        store,
        rates,
        [
            _span(1, "linear-model"),  # 1,201 input and 150 output tokens
            _span(2, "tiered-model"),  # 1,202 input tokens: within the tier
            _span(2000, "tiered-model"),  # 3,200 input tokens: beyond it
            _span(4, "unknown"),
            _span(5, "linear-model", **{"llmops.cost.usd": 0.5}),
            flat_span(6) | {"attributes": {}},
        ],
    )
    costs = _costs(store)
    assert costs["linear-model:1201"][0] == pytest.approx(1201 * INPUT_RATE + 150 * OUTPUT_RATE)
    assert costs["linear-model:1201"][1] == "computed"
    assert costs["tiered-model:1202"][0] == pytest.approx(1202 * TIER_RATE)
    assert costs["tiered-model:1202"][1] == "computed"
    assert costs["tiered-model:3200"] == (None, "unpriced")
    assert costs["unknown:1204"] == (None, "unpriced")
    assert costs["linear-model:1205"] == (0.5, "reported")
    assert costs["None:None"] == (None, None)  # no tokens: nothing to price
    assert rates.rows_priced == 2  # only the tiered spans were priced one by one


def test_a_key_is_asked_of_the_pricer_once_per_run(store: Store, tmp_path: Path) -> None:
    """Rates looked up in one transaction serve the next ones of the same run."""
    rates = FakeRates()
    path = tmp_path / "many.jsonl"
    path.write_bytes(jsonl([_span(n, "linear-model") for n in range(300)]))
    ingestor = Ingestor(store, rates, chunk_bytes=8192, group_bytes=16384)
    flushes: list[int] = []
    ingestor._progress = flushes.append
    assert ingestor.ingest([path]).spans_loaded == 300
    assert len(flushes) > 3  # several transactions
    assert rates.tables_asked == 1
    with store.reader() as cur:
        assert cur.execute("select count(*) from spans where cost_usd > 0").fetchone() == (300,)


def test_reprice_uses_the_same_prices_as_the_load(store: Store) -> None:
    rates = FakeRates()
    _load(store, rates, [_span(1, "linear-model"), _span(2, "tiered-model"), _span(4, "unknown")])
    loaded = _costs(store)
    with store.writer() as cur:
        cur.execute("update spans set cost_usd = 99, cost_source = 'computed'")
    result = store.spans.reprice(FakeRates())
    assert _costs(store) == loaded
    assert (result.computed, result.unpriced) == (2, 1)


def test_spans_of_one_model_years_apart_ask_for_their_own_buckets_only(store: Store) -> None:
    """The window of rates around a key spans a week or so; stretched from 1972 to 2100 it
    would be millions of buckets to price."""
    rates = FakeRates()
    far = [
        _span(1, "linear-model") | {"start_time": "1972-01-01T00:00:00Z", "end_time": None},
        _span(2, "linear-model") | {"start_time": "2100-01-01T00:00:00Z", "end_time": None},
    ]
    _load(store, rates, far)
    assert rates.largest_table < 1000
    with store.reader() as cur:
        assert cur.execute("select count(cost_usd) from spans").fetchone() == (2,)


class KeyedRates(FakeRates):
    """An input rate of its own for every (provider, models, bucket) key, so a span priced
    by another span's key gets a wrong cost."""

    @staticmethod
    def rate_of(
        provider: str | None, response: str | None, request: str | None, bucket: datetime
    ) -> float:
        names = f"{provider}|{response}|{request}"
        return (sum(map(ord, names)) + bucket.hour * 60 + bucket.minute) * 1e-9

    def rate_table(self, keys: pl.DataFrame) -> pl.DataFrame:
        table = super().rate_table(keys)
        return table.with_columns(
            input=pl.Series([self.rate_of(*key) for key in keys.iter_rows()], dtype=pl.Float64),
            priced=pl.lit(True),
            tiered=pl.lit(False),
        )


def test_a_batch_of_many_keys_prices_each_span_by_its_own_key() -> None:
    """Spans of a record batch are priced by key: providers, models (null too) and
    30-minute buckets in every combination, in an order that interleaves them."""
    rows = range(2048)
    providers = [[None, "openai", "anthropic"][n % 3] for n in rows]
    responses = [[None, "m-1", "m-2", "m-3"][(n // 3) % 4] for n in rows]
    requests = [["m-1", None, "m-4"][(n // 5) % 3] for n in rows]
    starts = [datetime(2026, 3, 1, 9) + timedelta(minutes=(n * 37) % 240) for n in rows]
    tokens = [1000 + n for n in rows]
    none = pa.nulls(len(rows), pa.int64())
    costs = SpanCosts(KeyedRates()).cost(
        pa.array(providers, pa.string()),
        pa.array(responses, pa.string()),
        pa.array(requests, pa.string()),
        pa.array(starts, pa.timestamp("us")),
        pa.array(tokens, pa.int64()),
        none,
        none,
        none,
        none,
    )
    buckets = [start.replace(minute=start.minute // 30 * 30) for start in starts]
    expected = [
        count * KeyedRates.rate_of(provider, response, request, bucket)
        for provider, response, request, bucket, count in zip(
            providers, responses, requests, buckets, tokens, strict=True
        )
    ]
    assert costs.to_pylist() == pytest.approx(expected, rel=1e-12)
