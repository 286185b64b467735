"""`Pricer`: find the price of a traced (provider, model) and apply it to one span or many."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias

import polars as pl
from genai_prices.data_snapshot import DataSnapshot, get_snapshot
from genai_prices.types import ModelInfo, ModelPrice, Provider

from llmops_tui.pricing.rates import _bucket_ids, _period_ids, _RateCache, _RateIds, _Rates
from llmops_tui.pricing.usage import RATE_COLUMNS, PriceOverride, TokenUsage

__all__ = ["Pricer"]

_KEY_COLUMNS = ("provider", "model", "bucket")

_PROVIDER_ALIASES: dict[str, str] = {
    # OTel `gen_ai.provider.name` / `gen_ai.system` well-known values.
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "aws.bedrock": "aws",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "mistral_ai": "mistral",
    "x_ai": "x-ai",
    # LiteLLM / vendor SDK spellings.
    "gemini": "google",
    "vertex_ai": "google",
    "vertex": "google",
    "bedrock": "aws",
    "azure_ai": "azure",
    "mistralai": "mistral",
    "xai": "x-ai",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
}
"""Provider spellings seen in traces -> genai-prices provider id (keys are lower case).

Anything not listed is passed through lower-cased (Traceloop's "OpenAI" -> "openai"), and
genai-prices' own provider matching gets a go at it (LiteLLM's "litellm" + "openai/gpt-4o").
"""


@dataclass(frozen=True, slots=True)
class _Found:
    """A genai-prices model a (provider, model) key resolved to."""

    provider: Provider
    model: ModelInfo
    constant: _Rates | None
    """The rates when the model has one unconditional `ModelPrice`, else `None`."""


@dataclass(frozen=True, slots=True)
class _Overridden:
    """A (provider, model) key priced by a project override."""

    override: PriceOverride
    rates: _Rates

    @classmethod
    def of(cls, override: PriceOverride) -> _Overridden:
        per_request, input_, cache_read, cache_write, output, reasoning = (
            float(d) for d in override._per_token()
        )
        rates = _Rates(per_request, input_, cache_read, cache_write, output, reasoning, False, None)
        return cls(override, rates)


_Resolution: TypeAlias = _Overridden | _Found | None


class Pricer:
    """Prices LLM calls: one span exactly (`price`) or many through a rate table (`rate_table`).

    A `Pricer` caches model look-ups per (provider, model) and rates per genai-prices
    `ModelPrice` object, so keep one for the whole of an ingest.

    Args:
        overrides: Model name -> price from the project config; names match exactly but
            case-insensitively and win over genai-prices.
        snapshot: The genai-prices data to use; defaults to the current snapshot (the bundled
            data unless `genai_prices.UpdatePrices` installed a newer one).
    """

    def __init__(
        self,
        overrides: Mapping[str, PriceOverride] | None = None,
        *,
        snapshot: DataSnapshot | None = None,
    ) -> None:
        self._overrides = {name.lower(): o for name, o in (overrides or {}).items()}
        self._snapshot = snapshot if snapshot is not None else get_snapshot()
        self._resolved: dict[tuple[str | None, str], _Resolution] = {}
        self._rates = _RateCache()

    # ------------------------------------------------------------------ one span

    def price(
        self, provider: str | None, model: str, at: datetime, usage: TokenUsage
    ) -> Decimal | None:
        """The exact cost of one call, tiers included.

        Args:
            provider: The provider as traced (`gen_ai.provider.name`, Traceloop's `gen_ai.system`,
                LiteLLM's `litellm`...), or `None`.
            model: The model name as traced.
            at: When the call was made; naive values are UTC.
            usage: Inclusive token counts.

        Returns:
            The cost in USD, or `None` when no price is known for the model.
        """
        found = self._resolve(provider, model)
        if found is None:
            return None
        if isinstance(found, _Overridden):
            return found.override.cost(usage)
        calculation = found.model.calc_price(
            usage.to_genai(), found.provider, genai_request_timestamp=at
        )
        result: Decimal = calculation.total_price
        return result

    # ------------------------------------------------------------------ many spans

    def rate_table(self, keys: pl.DataFrame) -> pl.DataFrame:
        """Per-token rates for each (provider, model, bucket) key.

        Python work is per distinct (provider, model) and, for models whose price changes over
        time, per distinct price period among the buckets; the per-row work is polars joins.

        Args:
            keys: Columns `provider` (Utf8, nullable), `model` (Utf8) and `bucket` (Datetime,
                UTC naive, a `bucket_of` value). Normally distinct keys; duplicates are allowed.

        Returns:
            The key columns, in the same row order, plus Float64 `per_request` (USD per call),
            `input`, `cache_read`, `cache_write`, `output`, `reasoning` (USD per token; see the
            package docstring for the cost formula), Boolean `tiered`, Int64 `tier_start` and
            Boolean `priced`. Unpriced rows have `priced` false and null rates. Tiered rows
            carry base-tier rates, exact only for spans with `input_tokens <= tier_start`;
            price the others with `price`.

        Raises:
            ValueError: If a key column is missing or a bucket is not a bucket start.
        """
        missing = [c for c in _KEY_COLUMNS if c not in keys.columns]
        if missing:
            raise ValueError(f"rate_table keys lack column(s) {', '.join(missing)}")
        keys = keys.select(
            pl.col("provider").cast(pl.Utf8), pl.col("model").cast(pl.Utf8), pl.col("bucket")
        )
        if keys.select((pl.col("bucket").dt.truncate("30m") != pl.col("bucket")).any()).item():
            raise ValueError("rate_table buckets must be bucket_of() values (30-minute starts)")
        rows = keys.with_row_index("_row")

        ids = _RateIds()
        static: dict[str, list[Any]] = {"provider": [], "model": [], "_id": []}
        by_period: list[tuple[pl.Expr, pl.Expr]] = []
        by_bucket: list[pl.DataFrame] = []
        for provider, model in rows.select("provider", "model").unique().iter_rows():
            found = self._resolve(provider, model)
            if isinstance(found, _Found) and found.constant is None:
                of_pair = pl.col("provider").eq_missing(provider) & (pl.col("model") == model)
                period_ids = _period_ids(found.model, ids, self._rates)
                if period_ids is not None:
                    by_period.append((of_pair, period_ids))
                else:
                    by_bucket.append(
                        _bucket_ids(found.model, rows.filter(of_pair), ids, self._rates)
                    )
                continue
            if found is None:
                rate_id = ids.of(None)
            elif isinstance(found, _Overridden):
                rate_id = ids.of(found.rates)
            else:
                rate_id = ids.of(found.constant)
            static["provider"].append(provider)
            static["model"].append(model)
            static["_id"].append(rate_id)

        static_ids = pl.DataFrame(
            static, schema={"provider": pl.Utf8, "model": pl.Utf8, "_id": pl.UInt32}
        )
        rows = rows.join(static_ids, on=["provider", "model"], how="left", nulls_equal=True)
        if by_period:
            # Rows of these pairs have no static id, so the first non-null is theirs.
            rows = rows.with_columns(
                pl.coalesce(
                    *(pl.when(of_pair).then(period_ids) for of_pair, period_ids in by_period),
                    pl.col("_id"),
                ).alias("_id")
            )
        if by_bucket:
            rows = rows.join(pl.concat(by_bucket), on="_row", how="left").with_columns(
                pl.coalesce("_bucket_id", "_id").alias("_id")
            )
        return (
            rows.join(ids.frame(), on="_id", how="left")
            .sort("_row")
            .select(*_KEY_COLUMNS, *RATE_COLUMNS, "tiered", "tier_start", "priced")
        )

    # ------------------------------------------------------------------ model look-up

    def _resolve(self, provider: str | None, model: str) -> _Resolution:
        key = (provider, model)
        try:
            return self._resolved[key]
        except KeyError:
            pass
        override = self._overrides.get(model.lower())
        if override is not None:
            resolution: _Resolution = _Overridden.of(override)
        else:
            found = self._lookup(provider, model)
            if found is None:
                resolution = None
            else:
                genai_provider, info = found
                constant = (
                    self._rates.of(info.prices) if isinstance(info.prices, ModelPrice) else None
                )
                resolution = _Found(genai_provider, info, constant)
        self._resolved[key] = resolution
        return resolution

    def _lookup(self, provider: str | None, model: str) -> tuple[Provider, ModelInfo] | None:
        """Find the genai-prices model: by provider, then by model name, then `prefix/name`."""
        attempts: list[tuple[str | None, str]] = []
        if provider:
            attempts.append((_genai_provider_id(provider), model))
        attempts.append((None, model))
        prefix, slash, rest = model.partition("/")
        if slash and prefix and rest:
            attempts.append((_genai_provider_id(prefix), rest))
        for provider_id, model_ref in attempts:
            try:
                return self._snapshot.find_provider_model(model_ref, None, provider_id, None)
            except LookupError:
                continue
        return None


def _genai_provider_id(provider: str) -> str:
    normalised = provider.strip().lower()
    return _PROVIDER_ALIASES.get(normalised, normalised)
