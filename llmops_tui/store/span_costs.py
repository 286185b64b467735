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

import threading
from datetime import timedelta
from typing import Protocol

import duckdb
import polars as pl
import pyarrow as pa
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

_EMPTY_RATES = pl.DataFrame(
    schema={
        "provider": pl.Utf8,
        "response_model": pl.Utf8,
        "request_model": pl.Utf8,
        "bucket": pl.Datetime("us"),
        **dict.fromkeys(RATE_COLUMNS, pl.Float64),
        "priced": pl.Boolean,
        "tiered": pl.Boolean,
    }
)
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


class KnownRates:
    """Rates already looked up, kept across the transactions of one ingest run.

    A key that isn't here yet is asked of the `RateSource` for a window of buckets around it
    (`RATE_WINDOW_BEFORE`/`_AFTER`), so the rest of a time-ordered file finds its rates here.
    """

    def __init__(self) -> None:
        self.frame = _EMPTY_RATES
        self._keys: set[tuple[object, ...]] = set()
        self._lock = threading.Lock()

    def covering(self, keys: pl.DataFrame, source: RateSource) -> pl.DataFrame:
        """The known rates, after asking `source` for those of `keys` (`PRICE_KEY_COLUMNS`)
        not known yet. Safe to call from several threads at once."""
        with self._lock:
            missing = [key for key in keys.unique().rows() if key not in self._keys]
            if missing:
                asked = pl.DataFrame(missing, schema=keys.schema, orient="row")
                rates = source.rate_table(_rate_window(asked))
                rates = rates.select(_EMPTY_RATES.columns).cast(_EMPTY_RATES.schema)
                self.frame = pl.concat([self.frame, rates]).unique(
                    subset=list(PRICE_KEY_COLUMNS), keep="first"
                )
                self._keys = set(self.frame.select(PRICE_KEY_COLUMNS).rows())
            return self.frame


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
        """Costs of a record batch of spans, in order (null: no price)."""
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
        spans = pl.from_arrow(pa.table(dict(zip(COST_ARGUMENTS, columns, strict=True))))
        assert isinstance(spans, pl.DataFrame)
        return self.costs(spans).to_arrow()

    def costs(self, spans: pl.DataFrame) -> pl.Series:
        """`spans` (`COST_ARGUMENTS`) priced, in order. Few polars calls: each costs ~0.3 ms
        of fixed overhead, and this runs once per record batch of an insert."""
        spans = spans.with_columns(
            pl.col("provider", "response_model", "request_model").cast(pl.Utf8),
            pl.col("start_time").cast(pl.Datetime("us")).dt.truncate("30m").alias("bucket"),
        )
        rates = self._known.covering(spans.select(PRICE_KEY_COLUMNS), self._source)
        tokens = {name: pl.col(name).fill_null(0).cast(pl.Float64) for name in USAGE_COLUMNS}
        linear = (
            pl.col("per_request")
            + (tokens["input_tokens"] - tokens["cache_read_tokens"] - tokens["cache_write_tokens"])
            * pl.col("input")
            + tokens["cache_read_tokens"] * pl.col("cache_read")
            + tokens["cache_write_tokens"] * pl.col("cache_write")
            + (tokens["output_tokens"] - tokens["reasoning_tokens"]) * pl.col("output")
            + tokens["reasoning_tokens"] * pl.col("reasoning")
        )
        priced = spans.join(
            rates,
            on=list(PRICE_KEY_COLUMNS),
            how="left",
            nulls_equal=True,
            maintain_order="left",
        ).select(
            pl.when(pl.col("priced") & ~pl.col("tiered")).then(linear).alias("cost"),
            pl.col("tiered").fill_null(False),
        )
        costs, tiered = priced["cost"], priced["tiered"]
        if tiered.any():
            costs = self._with_tiered(spans, tiered, costs)
        return costs.alias("cost_usd")

    def _with_tiered(self, spans: pl.DataFrame, tiered: pl.Series, costs: pl.Series) -> pl.Series:
        """`costs` with the tiered spans priced one by one by the `RateSource`."""
        rows = (
            spans.with_row_index("row_key")
            .filter(tiered)
            .with_columns(pl.col("row_key").cast(pl.Utf8))
        )
        with self._pricing:
            exact = self._source.price_rows(rows)
        exact = exact.select(_EMPTY_COSTS.columns).cast(_EMPTY_COSTS.schema)
        ordered = (
            spans.with_row_index("row_key")
            .select(pl.col("row_key").cast(pl.Utf8))
            .join(exact, on="row_key", how="left", maintain_order="left")
        )
        return pl.select(
            pl.when(tiered).then(ordered["cost_usd"]).otherwise(costs).alias("cost")
        ).to_series()


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
