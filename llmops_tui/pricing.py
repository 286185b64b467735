"""Token usage to US dollars, fast enough to price millions of spans at ingest.

Prices come from the `genai-prices` package (bundled data, offline) unless the project
config overrides a model. Three rules shape everything here:

* **Token counts are inclusive** (OTel GenAI semconv >= 1.40): `input_tokens` already contains
  `cache_read_tokens` and `cache_write_tokens`; `output_tokens` already contains
  `reasoning_tokens`. genai-prices uses the same convention (its `input_tokens` unit is the
  ancestor of `cache_read_tokens` / `cache_write_tokens`, `output_tokens` of
  `output_reasoning_tokens`, and it prices each "leaf" once), so counts are handed over as-is.
  A sub-count a model has no own price for is billed at its parent's rate (gemini cache writes
  at the input rate, most models' reasoning at the output rate).
* **A span is priced at its own timestamp.** genai-prices has date-effective prices
  (`StartDateConstraint`, compared on the UTC date) and time-of-day prices
  (`TimeOfDateConstraint`, e.g. DeepSeek's off-peak discount).
* **Unknown is not free.** A model with no price gives `None` (the span is *unpriced*), never $0.

Speed. `genai_prices.calc_price` costs ~0.15 ms a call: fine for one span, far too slow for a
million. But a `ModelPrice` without tiers is *linear* in the token counts, so six per-token rates
describe it completely. `Pricer.rate_table` therefore turns distinct
(provider, model, 30-minute bucket) keys into rates, evaluating each distinct `ModelPrice`
object once on basis usages (no tokens -> the per-request fee; one uncached input token; one
input token that is a cache read; ...) and caching the result, and the store applies the rates
to every span in one vectorised SQL expression::

    cost = per_request
         + (input_tokens - cache_read_tokens - cache_write_tokens) * input
         + cache_read_tokens * cache_read + cache_write_tokens * cache_write
         + (output_tokens - reasoning_tokens) * output + reasoning_tokens * reasoning

Evaluating the basis with genai-prices itself (rather than reading `input_mtok` & co.) keeps its
decomposition rules, fallbacks and per-request fees authoritative.

Tiered ("cliff") prices, e.g. long-context surcharges, are not linear: once the request's input
tokens exceed a tier start, *every* token is billed at the tier rate. A row whose `ModelPrice`
holds any `TieredPrices` is flagged `tiered`; its rates are the base-tier rates and its
`tier_start` column the lowest tier threshold, so the rates are exact for spans with
`input_tokens <= tier_start` (long-context calls are rare). Spans above it (or, more simply,
every tiered span) go through `Pricer.price`, which calls genai-prices and is exact by
construction.

For a model whose price changes over time, which `ModelPrice` applies depends only on how many
of its start dates and window edges a bucket lies past, so `get_prices` runs once per such
period and polars maps the buckets to periods: a 30-day table for six models is a few
milliseconds once the rates are cached.

Why 30-minute buckets. Every price change genai-prices can express lands on a half-hour
boundary: start-date constraints switch at 00:00 UTC on whole days, and the time-of-day windows
in the data sit on whole or half hours (DeepSeek's 00:30-16:30 UTC, 01:00-04:00, ...). So the
price in force is constant within a bucket and the bucket start stands for every span inside it,
while a month of history is still only 1,440 buckets per model. `bucket_of` is the one
definition the store and the tests share.

Overrides (`[pricing]` in the project config) map a model name, matched exactly but
case-insensitively, to a `PriceOverride`; they win over genai-prices for any provider.
`PriceOverride` is defined here (not in the config module) so pricing depends on nothing
but genai-prices and polars; the config loader builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeAlias

import polars as pl
from genai_prices import Usage
from genai_prices.data_snapshot import DataSnapshot, get_snapshot
from genai_prices.types import (
    ModelInfo,
    ModelPrice,
    Provider,
    StartDateConstraint,
    TieredPrices,
    TimeOfDateConstraint,
)

__all__ = [
    "BUCKET_WIDTH",
    "RATE_COLUMNS",
    "PriceOverride",
    "Pricer",
    "TokenUsage",
    "bucket_of",
]

BUCKET_WIDTH = timedelta(minutes=30)
"""Width of a rate bucket; see the module docstring for why 30 minutes."""

RATE_COLUMNS: tuple[str, ...] = (
    "per_request",
    "input",
    "cache_read",
    "cache_write",
    "output",
    "reasoning",
)
"""The Float64 USD rates `Pricer.rate_table` adds: USD per request, then USD per token."""

_KEY_COLUMNS = ("provider", "model", "bucket")
_MTOK = Decimal(1_000_000)

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


def bucket_of(ts: datetime) -> datetime:
    """The start of the 30-minute bucket holding `ts`, as a naive UTC datetime.

    Args:
        ts: A timestamp; naive values are taken as UTC, aware ones are converted to UTC.

    Returns:
        `ts` floored to the half hour, without tzinfo (the store keeps UTC-naive timestamps).
    """
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts.replace(minute=ts.minute - ts.minute % 30, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Token counts of one LLM call, inclusive (OTel GenAI semconv >= 1.40).

    Attributes:
        input_tokens: All input tokens, cache reads and cache writes included.
        output_tokens: All output tokens, reasoning included.
        cache_read_tokens: Input tokens served from the prompt cache.
        cache_write_tokens: Input tokens written to the prompt cache.
        reasoning_tokens: Output tokens spent on reasoning.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} must not be negative")
        if self.cache_read_tokens + self.cache_write_tokens > self.input_tokens:
            raise ValueError(
                "cache_read_tokens + cache_write_tokens exceed input_tokens "
                "(counts must be inclusive)"
            )
        if self.reasoning_tokens > self.output_tokens:
            raise ValueError("reasoning_tokens exceed output_tokens (counts must be inclusive)")

    def to_genai(self) -> Usage:
        """The same counts as a genai-prices `Usage` (whose keys are inclusive too)."""
        return Usage(
            input_tokens=self.input_tokens,
            cache_read_tokens=self.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens,
            output_tokens=self.output_tokens,
            output_reasoning_tokens=self.reasoning_tokens,
        )


@dataclass(frozen=True, slots=True)
class PriceOverride:
    """A user-set price for one model, in USD; it replaces genai-prices' price entirely.

    A rate left `None` is not charged, except that cache reads and writes fall back to the
    input rate and reasoning to the output rate.

    Attributes:
        input_per_mtok: USD per million (uncached) input tokens.
        output_per_mtok: USD per million output tokens.
        cache_read_per_mtok: USD per million cache-read tokens; default `input_per_mtok`.
        cache_write_per_mtok: USD per million cache-write tokens; default `input_per_mtok`.
        reasoning_per_mtok: USD per million reasoning tokens; default `output_per_mtok`.
        per_request: USD per call, on top of the token rates.
    """

    input_per_mtok: Decimal | None = None
    output_per_mtok: Decimal | None = None
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None
    reasoning_per_mtok: Decimal | None = None
    per_request: Decimal | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and (not value.is_finite() or value < 0):
                raise ValueError(f"{f.name} must be a finite, non-negative amount, not {value}")

    def cost(self, usage: TokenUsage) -> Decimal:
        """The exact cost of `usage` at these prices.

        Args:
            usage: The call's (inclusive) token counts.

        Returns:
            The cost in USD.
        """
        per_request, input_, cache_read, cache_write, output, reasoning = self._per_token()
        return (
            per_request
            + (usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens) * input_
            + usage.cache_read_tokens * cache_read
            + usage.cache_write_tokens * cache_write
            + (usage.output_tokens - usage.reasoning_tokens) * output
            + usage.reasoning_tokens * reasoning
        )

    def _per_token(self) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]:
        zero = Decimal(0)
        input_ = self.input_per_mtok if self.input_per_mtok is not None else zero
        output = self.output_per_mtok if self.output_per_mtok is not None else zero
        cache_read = self.cache_read_per_mtok if self.cache_read_per_mtok is not None else input_
        cache_write = self.cache_write_per_mtok if self.cache_write_per_mtok is not None else input_
        reasoning = self.reasoning_per_mtok if self.reasoning_per_mtok is not None else output
        return (
            self.per_request if self.per_request is not None else zero,
            input_ / _MTOK,
            cache_read / _MTOK,
            cache_write / _MTOK,
            output / _MTOK,
            reasoning / _MTOK,
        )


class _Rates(NamedTuple):
    """One rate-table row's values: USD per request, USD per token, tier information."""

    per_request: float
    input: float
    cache_read: float
    cache_write: float
    output: float
    reasoning: float
    tiered: bool
    tier_start: int | None


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


def _basis_rates(price: ModelPrice) -> _Rates:
    """Per-token rates of `price`, by evaluating it on one-token basis usages.

    Tiered prices are evaluated on their base tier (each `TieredPrices` replaced by its `base`),
    so the result is exact for requests whose input tokens do not exceed `tier_start`.
    """
    tier_starts = [
        tier.start
        for value in vars(price).values()
        if isinstance(value, TieredPrices)
        for tier in value.tiers
    ]
    if tier_starts:
        price = ModelPrice(
            **{
                key: value.base if isinstance(value, TieredPrices) else value
                for key, value in vars(price).items()
                if not key.startswith("_")
            }
        )

    def total(**counts: int) -> Decimal:
        result: Decimal = price.calc_price(Usage(**counts))["total_price"]
        return result

    per_request = total()
    return _Rates(
        per_request=float(per_request),
        input=float(total(input_tokens=1) - per_request),
        cache_read=float(total(input_tokens=1, cache_read_tokens=1) - per_request),
        cache_write=float(total(input_tokens=1, cache_write_tokens=1) - per_request),
        output=float(total(output_tokens=1) - per_request),
        reasoning=float(total(output_tokens=1, output_reasoning_tokens=1) - per_request),
        tiered=bool(tier_starts),
        tier_start=min(tier_starts) if tier_starts else None,
    )


class _RateIds:
    """Numbers distinct rate rows (0 is "unpriced") so polars can join them back by id."""

    def __init__(self) -> None:
        self._rows: list[_Rates | None] = [None]
        self._ids: dict[_Rates, int] = {}

    def of(self, rates: _Rates | None) -> int:
        if rates is None:
            return 0
        rate_id = self._ids.get(rates)
        if rate_id is None:
            rate_id = self._ids[rates] = len(self._rows)
            self._rows.append(rates)
        return rate_id

    def frame(self) -> pl.DataFrame:
        """One row per id: the rate columns, `tiered`, `tier_start` and `priced`."""
        priced = [r for r in self._rows if r is not None]
        data: dict[str, list[Any]] = {"_id": list(range(len(self._rows)))}
        for i, name in enumerate(RATE_COLUMNS):
            data[name] = [None, *(r[i] for r in priced)]
        data["tiered"] = [False, *(r.tiered for r in priced)]
        data["tier_start"] = [None, *(r.tier_start for r in priced)]
        data["priced"] = [False, *(True for _ in priced)]
        schema: dict[str, pl.DataType | type[pl.DataType]] = {"_id": pl.UInt32}
        schema.update(dict.fromkeys(RATE_COLUMNS, pl.Float64))
        schema.update({"tiered": pl.Boolean, "tier_start": pl.Int64, "priced": pl.Boolean})
        return pl.DataFrame(data, schema=schema)


def _schedule(model: ModelInfo) -> tuple[list[date], list[time]] | None:
    """The boundaries at which `model`'s price can change: UTC start dates, UTC times of day.

    Returns:
        Sorted start dates and sorted (UTC, naive) window edges, or `None` when a constraint is
        of a kind this function does not know (the caller then evaluates every bucket).
    """
    dates: set[date] = set()
    times: set[time] = set()
    for conditional in model.prices if isinstance(model.prices, list) else ():
        # `object`: newer genai-prices data may hold constraint kinds this code predates.
        constraint: object = conditional.constraint
        if constraint is None:
            continue
        if isinstance(constraint, StartDateConstraint):
            dates.add(constraint.start_date)
        elif isinstance(constraint, TimeOfDateConstraint):
            times.update(_utc_naive_time(t) for t in (constraint.start_time, constraint.end_time))
        else:
            return None
    return sorted(dates), sorted(times)


def _utc_naive_time(value: time) -> time:
    if value.tzinfo is None:
        return value
    return datetime.combine(date(1970, 1, 1), value).astimezone(UTC).time()


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
        self._rates: dict[int, tuple[ModelPrice, _Rates]] = {}

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
            module docstring for the cost formula), Boolean `tiered`, Int64 `tier_start` and
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
                period_ids = self._period_ids(found.model, ids)
                if period_ids is not None:
                    by_period.append((of_pair, period_ids))
                else:
                    by_bucket.append(self._bucket_ids(found.model, rows.filter(of_pair), ids))
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

    def _period_ids(self, model: ModelInfo, ids: _RateIds) -> pl.Expr | None:
        """An expression giving the rate id of each bucket of a model priced by date and time.

        A start-date constraint is active from a UTC date on, a time-of-day window between two
        UTC times, so which `ModelPrice` genai-prices picks depends only on how many of the
        model's start dates the bucket's date is past and how many window edges its time of
        day is past. `get_prices` is called once for a representative of each such period
        (not once per bucket), and polars maps every bucket to its period.

        Returns:
            A UInt32 expression over `bucket`, or `None` if the model has a constraint of a kind
            not handled here (the caller then evaluates each bucket).
        """
        schedule = _schedule(model)
        if schedule is None:
            return None
        dates, times = schedule
        # Representatives: the count of boundaries <= dates[i - 1] is i (dates are distinct).
        date_periods = [(0, dates[0] - timedelta(days=1) if dates else date(2000, 1, 1))]
        date_periods += [(i + 1, d) for i, d in enumerate(dates)]
        time_periods = [(0, time.min)] if not times or times[0] > time.min else []
        time_periods += [(j + 1, t) for j, t in enumerate(times)]

        width = len(times) + 1
        lookup = [0] * ((len(dates) + 1) * width)
        for i, on_date in date_periods:
            for j, at_time in time_periods:
                price = model.get_prices(datetime.combine(on_date, at_time))
                lookup[i * width + j] = ids.of(self._rates_of(price))

        bucket = pl.col("bucket")
        date_period = (
            pl.lit(pl.Series(dates, dtype=pl.Date)).search_sorted(bucket.dt.date(), side="right")
            if dates
            else pl.lit(0, dtype=pl.UInt32)
        )
        time_period = (
            pl.lit(pl.Series(times, dtype=pl.Time)).search_sorted(bucket.dt.time(), side="right")
            if times
            else pl.lit(0, dtype=pl.UInt32)
        )
        return pl.lit(pl.Series(lookup, dtype=pl.UInt32)).gather(date_period * width + time_period)

    def _bucket_ids(self, model: ModelInfo, rows: pl.DataFrame, ids: _RateIds) -> pl.DataFrame:
        """Rate ids (`_row`, `_bucket_id`) of `rows`, calling `get_prices` for every bucket."""
        return rows.select(
            "_row",
            pl.Series(
                "_bucket_id",
                [ids.of(self._rates_of(model.get_prices(at))) for at in rows["bucket"]],
                dtype=pl.UInt32,
            ),
        )

    def _rates_of(self, price: ModelPrice) -> _Rates:
        # ModelPrice defines __eq__ without __hash__; key on identity and keep the object
        # alive in the value so the id cannot be reused.
        cached = self._rates.get(id(price))
        if cached is None:
            cached = self._rates[id(price)] = (price, _basis_rates(price))
        return cached[1]

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
                    self._rates_of(info.prices) if isinstance(info.prices, ModelPrice) else None
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
