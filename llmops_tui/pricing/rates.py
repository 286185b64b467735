"""Per-token rates of genai-prices `ModelPrice` objects, and the numbering of distinct rates.

`_basis_rates` turns one `ModelPrice` into the six linear rates of the package docstring;
`_RateCache` evaluates each `ModelPrice` object once; `_RateIds` numbers distinct rate rows so
polars can join them back by id; `_schedule`, `_period_ids` and `_bucket_ids` map the buckets of
a model whose price changes over time to rate ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import polars as pl
from genai_prices import Usage
from genai_prices.types import (
    ModelInfo,
    ModelPrice,
    StartDateConstraint,
    TieredPrices,
    TimeOfDateConstraint,
)

from llmops_tui.pricing.usage import RATE_COLUMNS


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


class _RateCache:
    """Rates per genai-prices `ModelPrice` object, each evaluated once with `_basis_rates`."""

    def __init__(self) -> None:
        self._rates: dict[int, tuple[ModelPrice, _Rates]] = {}

    def of(self, price: ModelPrice) -> _Rates:
        # ModelPrice defines __eq__ without __hash__; key on identity and keep the object
        # alive in the value so the id cannot be reused.
        cached = self._rates.get(id(price))
        if cached is None:
            cached = self._rates[id(price)] = (price, _basis_rates(price))
        return cached[1]


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


def _period_ids(model: ModelInfo, ids: _RateIds, rates: _RateCache) -> pl.Expr | None:
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
            lookup[i * width + j] = ids.of(rates.of(price))

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


def _bucket_ids(
    model: ModelInfo, rows: pl.DataFrame, ids: _RateIds, rates: _RateCache
) -> pl.DataFrame:
    """Rate ids (`_row`, `_bucket_id`) of `rows`, calling `get_prices` for every bucket."""
    return rows.select(
        "_row",
        pl.Series(
            "_bucket_id",
            [ids.of(rates.of(model.get_prices(at))) for at in rows["bucket"]],
            dtype=pl.UInt32,
        ),
    )
