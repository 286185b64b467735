"""Pricing as the store needs it: rates per (provider, response/request model, bucket).

Spans carry both the model asked for (`gen_ai.request.model`) and the one that answered
(`gen_ai.response.model`, often a dated snapshot). The answering model is priced first; when
genai-prices or the project's overrides know only the requested name, that price is used.
"""

from __future__ import annotations

import polars as pl

from llmops_tui.pricing import Pricer, TokenUsage

_RATE_COLUMNS = ["per_request", "input", "cache_read", "cache_write", "output", "reasoning"]
_KEYS = ["provider", "response_model", "request_model", "bucket"]
_USAGE = {
    "input_tokens": "input_tokens",
    "output_tokens": "output_tokens",
    "cache_read_tokens": "cache_read_tokens",
    "cache_write_tokens": "cache_write_tokens",
    "reasoning_tokens": "reasoning_tokens",
}


class StoreRates:
    """Adapts a `Pricer` to the store's `RateSource` protocol."""

    def __init__(self, pricer: Pricer) -> None:
        self._pricer = pricer

    def rate_table(self, keys: pl.DataFrame) -> pl.DataFrame:
        keys = keys.select(_KEYS).with_row_index("_row")
        answered = self._rates(keys, pl.coalesce("response_model", "request_model"))
        fallback = self._rates(keys, pl.col("request_model"))
        use_fallback = ~pl.col("priced") & pl.col("priced_fallback").fill_null(False)
        joined = answered.join(fallback, on="_row", suffix="_fallback")
        return joined.select(
            *_KEYS,
            *[
                pl.when(use_fallback).then(pl.col(f"{c}_fallback")).otherwise(pl.col(c)).alias(c)
                for c in [*_RATE_COLUMNS, "tiered", "priced"]
            ],
        )

    def _rates(self, keys: pl.DataFrame, model: pl.Expr) -> pl.DataFrame:
        request = keys.select("_row", "provider", model.alias("model"), "bucket")
        known = request.filter(pl.col("model").is_not_null())
        table = self._pricer.rate_table(known.select("provider", "model", "bucket"))
        rated = pl.concat(
            [known.select("_row"), table.select([*_RATE_COLUMNS, "tiered", "priced"])],
            how="horizontal",
        )
        return keys.join(rated, on="_row", how="left").with_columns(
            pl.col("priced").fill_null(False), pl.col("tiered").fill_null(False)
        )

    def price_rows(self, rows: pl.DataFrame) -> pl.DataFrame:
        costs: list[float | None] = []
        for row in rows.iter_rows(named=True):
            try:
                usage = TokenUsage(**{k: int(row[v] or 0) for k, v in _USAGE.items()})
            except ValueError:
                costs.append(None)  # inconsistent counts: unpriced rather than a wrong price
                continue
            cost = None
            for model in (row["response_model"], row["request_model"]):
                if model is not None and cost is None:
                    cost = self._pricer.price(row["provider"], model, row["start_time"], usage)
            costs.append(float(cost) if cost is not None else None)
        return pl.DataFrame(
            {"row_key": rows["row_key"], "cost_usd": pl.Series(costs, dtype=pl.Float64)}
        )
