"""What a span cost: `llmops_cost`, the one function that prices spans, for loads and reprice.

The store never imports pricing: the caller passes a `RateSource`. SQL calls `llmops_cost`
(a DuckDB function written in Python, called with a record batch of spans at a time) with a
span's provider, models, start time and token counts; it answers with the cost in USD, or
NULL when the model has no price. Rates come per (provider, response model, request model,
30-minute bucket) from `KnownRates`, which asks the `RateSource` only for keys it doesn't hold
yet; prices that aren't linear in the tokens (tiers) are asked of the `RateSource` one span
at a time.

A Python function rather than a join to a table of rates: measured on 490k spans, the join
made the insert ~4 s slower, and a function returning whole rate records held each batch's
result until the statement ended (~270 MB per 1M spans); a cost is 8 bytes a span.
"""

from __future__ import annotations

import math
import threading
from datetime import timedelta
from typing import Protocol

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.func import FunctionNullHandling, PythonUDFType

PRICE_KEY_COLUMNS = ("provider", "response_model", "request_model", "bucket")
RATE_COLUMNS = ("per_request", "input", "cache_read", "cache_write", "output", "reasoning")
USAGE_COLUMNS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)
COST_ARGUMENTS = ("provider", "response_model", "request_model", "start_time", *USAGE_COLUMNS)

HAS_TOKENS = "(coalesce(s.input_tokens, 0) > 0 or coalesce(s.output_tokens, 0) > 0)"
"""Spans that can be priced (`s`: the span); the others have no cost and no cost source."""

COST_SQL = "llmops_cost(" + ", ".join(f"s.{name}" for name in COST_ARGUMENTS) + ")"
"""The cost of span `s` (NULL: unpriced); only valid while `SpanCosts` is registered."""

RATE_WINDOW_BEFORE = timedelta(days=1)
RATE_WINDOW_AFTER = timedelta(days=7)
RATE_WINDOW_MAX = timedelta(days=31)

_EMPTY_COSTS = pl.DataFrame(schema={"row_key": pl.Utf8, "cost_usd": pl.Float64})


class RateSource(Protocol):
    """Prices for the store: linear per-token rates by key, exact prices for the rest."""

    def rate_table(self, keys: pl.DataFrame) -> pl.DataFrame:
        """Rates for each key of `PRICE_KEY_COLUMNS` (bucket = 30-minute window start, UTC).

        Returns the key columns plus Float64 USD-per-token `RATE_COLUMNS` and Boolean
        `priced` and `tiered` (tiered rows are priced one by one through `price_rows`).
        """
        ...

    def price_rows(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Exact cost for spans whose price isn't linear; `rows` has `row_key`, provider,
        response_model, request_model, start_time and `USAGE_COLUMNS`; returns `row_key` and
        `cost_usd` (null when unpriced)."""
        ...


PriceKey = tuple[str | None, str | None, str | None, int | None]
"""(provider, response model, request model, bucket as microseconds since the epoch; None
for a span without a start time)."""

_KEY_SCHEMA = {
    "provider": pl.Utf8,
    "response_model": pl.Utf8,
    "request_model": pl.Utf8,
    "bucket": pl.Int64,
}
_BUCKET_US = 30 * 60 * 1_000_000
"""A price bucket: 30 minutes from the epoch, as `Pricer.bucket_of` (and polars' truncate)."""
_NO_RATE = (*(math.nan for _ in RATE_COLUMNS), False, False)


class KnownRates:
    """Rates already looked up, kept across the transactions of one ingest run.

    A key that isn't here yet is asked of the `RateSource` for a window of buckets around it
    (`RATE_WINDOW_BEFORE`/`_AFTER`), so the rest of a time-ordered file finds its rates here.
    A key the source had no answer for is remembered as unpriced: it isn't asked again.
    """

    def __init__(self) -> None:
        self._rates: dict[PriceKey, tuple[float | bool, ...]] = {}
        self._lock = threading.Lock()

    def rates_of(self, keys: list[PriceKey], source: RateSource) -> np.ndarray:
        """One row per key: the `RATE_COLUMNS` (NaN where the key has no price), then
        `priced` and `tiered` as 0/1. Safe to call from several threads at once."""
        with self._lock:
            missing = [key for key in keys if key not in self._rates]
            if missing:
                self._ask(missing, source)
            return np.array([self._rates[key] for key in keys], dtype=np.float64)

    def _ask(self, missing: list[PriceKey], source: RateSource) -> None:
        asked = pl.DataFrame(missing, schema=_KEY_SCHEMA, orient="row").with_columns(
            pl.col("bucket").cast(pl.Datetime("us"))
        )
        answer = source.rate_table(_rate_window(asked))
        answer = answer.select(
            pl.col("provider", "response_model", "request_model").cast(pl.Utf8),
            pl.col("bucket").cast(pl.Datetime("us")).cast(pl.Int64),
            *[pl.col(name).cast(pl.Float64) for name in RATE_COLUMNS],
            *[pl.col(name).cast(pl.Boolean).fill_null(False) for name in ("priced", "tiered")],
        )
        for row in answer.iter_rows():
            key, values = row[:4], row[4:]
            rates = tuple(math.nan if v is None else v for v in values[:-2])
            self._rates.setdefault(key, (*rates, *values[-2:]))
        for key in missing:
            self._rates.setdefault(key, _NO_RATE)


class SpanCosts:
    """`llmops_cost` for one cursor: `register` before the SQL that calls it, then `remove`."""

    NAME = "llmops_cost"

    def __init__(self, source: RateSource, known: KnownRates | None = None) -> None:
        self._source = source
        self._known = known if known is not None else KnownRates()
        self._pricing = threading.Lock()  # a RateSource need not be thread-safe

    def register(self, cur: duckdb.DuckDBPyConnection) -> None:
        text, stamp, count = "VARCHAR", "TIMESTAMP", "BIGINT"
        cur.create_function(
            self.NAME,
            self.cost,
            [text, text, text, stamp, count, count, count, count, count],
            "DOUBLE",
            type=PythonUDFType.ARROW,
            null_handling=FunctionNullHandling.SPECIAL,
        )

    def remove(self, cur: duckdb.DuckDBPyConnection) -> None:
        cur.remove_function(self.NAME)

    def cost(
        self,
        provider: pa.Array,
        response_model: pa.Array,
        request_model: pa.Array,
        start_time: pa.Array,
        input_tokens: pa.Array,
        output_tokens: pa.Array,
        cache_read_tokens: pa.Array,
        cache_write_tokens: pa.Array,
        reasoning_tokens: pa.Array,
    ) -> pa.Array:
        """Costs of a record batch of spans, in order (null: no price).

        In numpy, over the batch's few distinct keys: DuckDB calls this for every 2,048 spans
        while its threads wait for the GIL, and a polars version (five queries a batch) took
        ~4 ms a call where this takes ~1 ms (measured on the benchmark's spans)."""
        columns = (
            provider,
            response_model,
            request_model,
            start_time,
            input_tokens,
            output_tokens,
            cache_read_tokens,
            cache_write_tokens,
            reasoning_tokens,
        )
        spans = dict(zip(COST_ARGUMENTS, map(_whole, columns), strict=True))
        codes, keys = _price_keys(spans)
        rates = self._known.rates_of(keys, self._source)[codes]
        tokens = {name: _counts(spans[name]) for name in USAGE_COLUMNS}
        per_request, input_, cache_read, cache_write, output, reasoning = rates[:, :6].T
        # The order of the terms is the order `Pricer` documents: the same sum to the bit.
        costs = (
            per_request
            + (tokens["input_tokens"] - tokens["cache_read_tokens"] - tokens["cache_write_tokens"])
            * input_
            + tokens["cache_read_tokens"] * cache_read
            + tokens["cache_write_tokens"] * cache_write
            + (tokens["output_tokens"] - tokens["reasoning_tokens"]) * output
            + tokens["reasoning_tokens"] * reasoning
        )
        priced, tiered = rates[:, 6] == 1, rates[:, 7] == 1
        known = priced & ~tiered & ~np.isnan(costs)
        result = pa.array(costs, pa.float64(), mask=~known)
        if tiered.any():
            result = self._with_tiered(spans, tiered, result)
        return result

    def _with_tiered(
        self, spans: dict[str, pa.Array], tiered: np.ndarray, costs: pa.Array
    ) -> pa.Array:
        """`costs` with the tiered spans priced one by one by the `RateSource`."""
        rows = pl.from_arrow(pa.table(spans))
        assert isinstance(rows, pl.DataFrame)
        rows = (
            rows.with_row_index("row_key")
            .filter(pl.Series(tiered))
            .with_columns(pl.col("row_key").cast(pl.Utf8))
        )
        with self._pricing:
            exact = self._source.price_rows(rows)
        exact = exact.select(_EMPTY_COSTS.columns).cast(_EMPTY_COSTS.schema)
        by_key = dict(zip(exact["row_key"].to_list(), exact["cost_usd"].to_list(), strict=True))
        values = costs.to_pylist()
        for row in np.flatnonzero(tiered):
            values[row] = by_key.get(str(row))
        return pa.array(values, pa.float64())


def _whole(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _counts(column: pa.Array) -> np.ndarray:
    counts: np.ndarray = pc.fill_null(column, 0).to_numpy(zero_copy_only=False)
    return counts.astype(np.float64)


def _price_keys(spans: dict[str, pa.Array]) -> tuple[np.ndarray, list[PriceKey]]:
    """Each span's index into the batch's distinct price keys, and those keys."""
    micros = pc.cast(spans["start_time"], pa.timestamp("us")).cast(pa.int64())
    # Floor division floors as polars' truncate does, before the epoch too; spans without a
    # start time share a bucket no timestamp falls in (their key's bucket is None).
    no_start = np.iinfo(np.int64).min
    starts = pc.fill_null(micros, no_start).to_numpy(zero_copy_only=False)
    buckets = np.where(starts == no_start, no_start, starts // _BUCKET_US)
    _, code = np.unique(buckets, return_inverse=True)
    columns: list[tuple[list[str | None], np.ndarray]] = []
    for name in ("provider", "response_model", "request_model"):
        encoded = pc.dictionary_encode(spans[name])
        values: list[str | None] = [*encoded.dictionary.to_pylist(), None]
        indices = pc.fill_null(encoded.indices, len(values) - 1).to_numpy(zero_copy_only=False)
        columns.append((values, indices))
        # Numbered afresh after each column, so the combined code stays below the row count.
        _, code = np.unique(code * len(values) + indices, return_inverse=True)
    _, first_rows, codes = np.unique(code, return_index=True, return_inverse=True)
    keys: list[PriceKey] = []
    for row in first_rows.tolist():
        provider, response, request = (values[indices[row]] for values, indices in columns)
        bucket = int(buckets[row])
        keys.append(
            (provider, response, request, None if bucket == no_start else bucket * _BUCKET_US)
        )
    return codes.reshape(-1), keys


def _rate_window(keys: pl.DataFrame) -> pl.DataFrame:
    """`keys` widened to every bucket from a day before each (provider, models) key's first
    bucket to a week after its last: the neighbouring spans are priced from what's known.
    A key whose buckets lie further apart than `RATE_WINDOW_MAX` (times years apart in one
    record batch) is asked for its own buckets only: a window that wide would be millions
    of buckets."""
    models = ["provider", "response_model", "request_model"]
    bounds = keys.group_by(models).agg(
        (pl.col("bucket").min() - RATE_WINDOW_BEFORE).alias("first"),
        (pl.col("bucket").max() + RATE_WINDOW_AFTER).alias("last"),
    )
    narrow = bounds.filter(pl.col("last") - pl.col("first") <= RATE_WINDOW_MAX)
    windows = narrow.select(
        *models,
        pl.datetime_ranges("first", "last", interval="30m", time_unit="us").alias("bucket"),
    ).explode("bucket")
    wide = keys.join(narrow.select(models), on=models, how="anti", nulls_equal=True)
    return pl.concat([windows, wide.select(PRICE_KEY_COLUMNS).unique()])
