"""`llmops_tui.pricing` against genai-prices itself.

No dollar figure here is copied from a price list: every expected cost is either
`genai_prices.calc_price` computed in the test or hand arithmetic on rates read from the
genai-prices objects. Models with special pricing (reasoning, per-request fees, start dates,
time-of-day windows, tiers) are found by searching the bundled data at run time, so the tests
follow the data when genai-prices is upgraded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import genai_prices
import polars as pl
import pytest
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import (
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    Provider,
    StartDateConstraint,
    TieredPrices,
    TimeOfDateConstraint,
)

from llmops_tui.pricing import (
    BUCKET_WIDTH,
    RATE_COLUMNS,
    PriceOverride,
    Pricer,
    TokenUsage,
    bucket_of,
    rates,
)

MTOK = Decimal(1_000_000)
AT = datetime(2026, 6, 1, 12, 7, 31)
"""An ordinary request time (naive = UTC)."""

USAGES = (
    TokenUsage(),
    TokenUsage(input_tokens=5_000),
    TokenUsage(input_tokens=1_200, output_tokens=800),
    TokenUsage(
        input_tokens=10_000,
        output_tokens=2_000,
        cache_read_tokens=6_000,
        cache_write_tokens=1_500,
        reasoning_tokens=700,
    ),
    TokenUsage(input_tokens=40_000, cache_read_tokens=40_000, output_tokens=3),
    TokenUsage(input_tokens=9, cache_write_tokens=9, output_tokens=5_000, reasoning_tokens=5_000),
)
"""Inclusive usages covering every rate: cache reads/writes and reasoning, alone and mixed."""


# ---------------------------------------------------------------- helpers


def genai_cost(provider_id: str | None, model: str, at: datetime, usage: TokenUsage) -> Decimal:
    """The reference: `genai_prices.calc_price` on the same (inclusive) counts."""
    genai_usage = genai_prices.Usage(
        input_tokens=usage.input_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        output_tokens=usage.output_tokens,
        output_reasoning_tokens=usage.reasoning_tokens,
    )
    result = genai_prices.calc_price(
        genai_usage, model, provider_id=provider_id, genai_request_timestamp=at
    )
    total: Decimal = result.total_price
    return total


def table_cost(row: dict[str, Any], usage: TokenUsage) -> float:
    """The store's SQL cost formula, applied to one rate-table row."""
    return float(
        row["per_request"]
        + (usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens) * row["input"]
        + usage.cache_read_tokens * row["cache_read"]
        + usage.cache_write_tokens * row["cache_write"]
        + (usage.output_tokens - usage.reasoning_tokens) * row["output"]
        + usage.reasoning_tokens * row["reasoning"]
    )


def keys_frame(rows: list[tuple[str | None, str, datetime]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"provider": pl.Utf8, "model": pl.Utf8, "bucket": pl.Datetime("us")},
        orient="row",
    )


def one_row(pricer: Pricer, provider: str | None, model: str, at: datetime) -> dict[str, Any]:
    table = pricer.rate_table(keys_frame([(provider, model, bucket_of(at))]))
    assert table.height == 1
    return table.row(0, named=True)


def close(a: float, b: Decimal) -> bool:
    return abs(a - float(b)) <= 1e-12 * max(1.0, abs(float(b)))


@dataclass(frozen=True)
class Entry:
    provider: Provider
    model: ModelInfo

    @property
    def conditionals(self) -> list[ConditionalPrice]:
        return self.model.prices if isinstance(self.model.prices, list) else []

    def all_prices(self) -> list[ModelPrice]:
        if isinstance(self.model.prices, ModelPrice):
            return [self.model.prices]
        return [c.prices for c in self.model.prices]


def entries() -> Iterator[Entry]:
    """Every model of the bundled data that genai-prices resolves back to itself by its id."""
    snapshot = get_snapshot()
    for provider in snapshot.providers:
        for model in provider.models:
            try:
                found_provider, found = snapshot.find_provider_model(
                    model.id, None, provider.id, None
                )
            except LookupError:
                continue
            if found is model and found_provider is provider:
                yield Entry(provider, model)


def is_tiered(price: ModelPrice) -> bool:
    return any(isinstance(v, TieredPrices) for v in vars(price).values())


def flat(price: ModelPrice, key: str) -> Decimal:
    """A price that must be a plain (untiered) USD amount."""
    value = getattr(price, key)
    assert isinstance(value, Decimal), f"{key} is {value!r}"
    return value


def find_entry(predicate: Callable[[Entry], bool], what: str) -> Entry:
    for entry in entries():
        if predicate(entry):
            return entry
    pytest.skip(f"no model with {what} in this genai-prices data")


# ---------------------------------------------------------------- known models


@pytest.mark.parametrize(
    ("traced_provider", "provider_id", "model"),
    [
        ("openai", "openai", "gpt-4o"),
        ("anthropic", "anthropic", "claude-sonnet-4-5"),
        ("gcp.gemini", "google", "gemini-2.5-flash"),
        (None, None, "gpt-4o"),
    ],
)
@pytest.mark.parametrize("usage", USAGES)
def test_rate_table_equals_price_equals_calc_price(
    traced_provider: str | None, provider_id: str | None, model: str, usage: TokenUsage
) -> None:
    pricer = Pricer()
    row = one_row(pricer, traced_provider, model, AT)
    reference = genai_cost(provider_id, model, AT, usage)

    assert row["priced"] is True
    assert pricer.price(traced_provider, model, AT, usage) == reference
    assert close(table_cost(row, usage), reference)


def test_cache_and_input_rates_are_the_model_price_rates() -> None:
    pricer = Pricer()
    _, info = get_snapshot().find_provider_model("gpt-4o", None, "openai", None)
    price = info.get_prices(AT)
    input_, cache_read, output = (
        flat(price, k) for k in ("input_mtok", "cache_read_mtok", "output_mtok")
    )
    assert price.cache_write_mtok is None, "the hand arithmetic below assumes no write price"

    row = one_row(pricer, "openai", "gpt-4o", AT)

    assert row["input"] == float(input_ / MTOK)
    assert row["cache_read"] == float(cache_read / MTOK)
    assert row["cache_write"] == row["input"], "an unpriced cache write is billed as input"
    assert row["reasoning"] == row["output"], "unpriced reasoning is billed as output"
    usage = TokenUsage(input_tokens=1_000, cache_read_tokens=400, output_tokens=10)
    expected = (600 * input_ + 400 * cache_read + 10 * output) / MTOK
    assert pricer.price("openai", "gpt-4o", AT, usage) == expected


def test_reasoning_tokens_priced_at_their_own_rate() -> None:
    def has_reasoning(entry: Entry) -> bool:
        return any(
            isinstance(p.output_reasoning_mtok, Decimal)
            and isinstance(p.output_mtok, Decimal)
            and p.output_reasoning_mtok != p.output_mtok
            and not is_tiered(p)
            for p in entry.all_prices()
        )

    entry = find_entry(has_reasoning, "a reasoning price")
    pricer = Pricer()
    price = entry.model.get_prices(AT)
    row = one_row(pricer, entry.provider.id, entry.model.id, AT)
    usage = TokenUsage(input_tokens=100, output_tokens=1_000, reasoning_tokens=600)

    input_, output, reasoning = (
        flat(price, k) for k in ("input_mtok", "output_mtok", "output_reasoning_mtok")
    )
    assert row["reasoning"] == float(reasoning / MTOK)
    assert row["reasoning"] != row["output"]
    reference = genai_cost(entry.provider.id, entry.model.id, AT, usage)
    assert pricer.price(entry.provider.id, entry.model.id, AT, usage) == reference
    assert close(table_cost(row, usage), reference)
    # Inclusive: 400 plain output tokens plus 600 reasoning ones, not 1,000 + 600.
    fee = flat(price, "requests_kcount") / 1000 if price.requests_kcount is not None else 0
    assert reference == fee + (100 * input_ + 400 * output + 600 * reasoning) / MTOK


def test_per_request_fee() -> None:
    entry = find_entry(
        lambda e: any(isinstance(p.requests_kcount, Decimal) for p in e.all_prices()),
        "a per-request price",
    )
    pricer = Pricer()
    price = entry.model.get_prices(AT)
    row = one_row(pricer, entry.provider.id, entry.model.id, AT)

    assert row["per_request"] == float(flat(price, "requests_kcount") / 1000)
    for usage in USAGES:
        reference = genai_cost(entry.provider.id, entry.model.id, AT, usage)
        assert close(table_cost(row, usage), reference)
        assert pricer.price(entry.provider.id, entry.model.id, AT, usage) == reference


# ---------------------------------------------------------------- unpriced and overrides


@pytest.mark.parametrize("provider", [None, "openai", "no-such-provider"])
def test_unknown_model_is_unpriced_not_free(provider: str | None) -> None:
    pricer = Pricer()
    model = "definitely-not-a-model-xyz"

    assert pricer.price(provider, model, AT, TokenUsage(input_tokens=10)) is None
    row = one_row(pricer, provider, model, AT)
    assert row["priced"] is False
    assert row["tiered"] is False
    assert all(row[c] is None for c in RATE_COLUMNS)


def test_override_wins_matches_case_insensitively_and_falls_back() -> None:
    override = PriceOverride(
        input_per_mtok=Decimal("1.5"),
        output_per_mtok=Decimal("4"),
        per_request=Decimal("0.002"),
    )
    pricer = Pricer({"GPT-4o": override, "my-local-model": PriceOverride(Decimal(2))})
    usage = TokenUsage(
        input_tokens=1_000,
        cache_read_tokens=300,
        cache_write_tokens=200,
        output_tokens=500,
        reasoning_tokens=100,
    )
    # Cache reads/writes fall back to the input rate, reasoning to the output rate.
    expected = Decimal("0.002") + (1_000 * Decimal("1.5") + 500 * Decimal(4)) / MTOK

    assert pricer.price("openai", "gpt-4O", AT, usage) == expected
    assert expected != genai_cost("openai", "gpt-4o", AT, usage)
    row = one_row(pricer, "openai", "Gpt-4o", AT)
    assert row["priced"] is True
    assert row["input"] == row["cache_read"] == row["cache_write"] == float(Decimal("1.5") / MTOK)
    assert row["output"] == row["reasoning"] == float(Decimal(4) / MTOK)
    assert close(table_cost(row, usage), expected)
    # An override prices a model genai-prices does not know; unset rates cost nothing.
    assert pricer.price(None, "my-local-model", AT, usage) == 1_000 * Decimal(2) / MTOK
    # Not a prefix or substring match.
    assert pricer.price("openai", "gpt-4o-mini", AT, usage) == genai_cost(
        "openai", "gpt-4o-mini", AT, usage
    )


def test_override_with_own_cache_and_reasoning_rates() -> None:
    override = PriceOverride(
        input_per_mtok=Decimal(3),
        output_per_mtok=Decimal(15),
        cache_read_per_mtok=Decimal("0.3"),
        cache_write_per_mtok=Decimal("3.75"),
        reasoning_per_mtok=Decimal(20),
    )
    pricer = Pricer({"claude-sonnet-4-5": override})
    usage = USAGES[3]
    expected = (
        (usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens) * Decimal(3)
        + usage.cache_read_tokens * Decimal("0.3")
        + usage.cache_write_tokens * Decimal("3.75")
        + (usage.output_tokens - usage.reasoning_tokens) * Decimal(15)
        + usage.reasoning_tokens * Decimal(20)
    ) / MTOK

    assert pricer.price("anthropic", "claude-sonnet-4-5", AT, usage) == expected
    row = one_row(pricer, "anthropic", "claude-sonnet-4-5", AT)
    assert row["tiered"] is False, "an override has no tiers"
    assert close(table_cost(row, usage), expected)


def test_override_rejects_negative_amounts() -> None:
    with pytest.raises(ValueError, match="input_per_mtok"):
        PriceOverride(input_per_mtok=Decimal(-1))


# ---------------------------------------------------------------- prices that change over time


def test_start_date_changes_the_price_on_that_utc_day() -> None:
    def changes_on_a_date(entry: Entry) -> bool:
        conditionals = entry.conditionals
        if not conditionals or any(
            not isinstance(c.constraint, StartDateConstraint | None) for c in conditionals
        ):
            return False
        return any(
            isinstance(c.constraint, StartDateConstraint)
            and not is_tiered(c.prices)
            and _before(entry, c.constraint.start_date) is not None
            for c in conditionals
        )

    entry = find_entry(changes_on_a_date, "a start-date price change")
    start = next(
        c.constraint.start_date
        for c in entry.conditionals
        if isinstance(c.constraint, StartDateConstraint)
        and _before(entry, c.constraint.start_date) is not None
    )
    midnight = datetime.combine(start, time())
    before, after = midnight - timedelta(seconds=1), midnight
    pricer = Pricer()
    provider, model = entry.provider.id, entry.model.id
    table = pricer.rate_table(
        keys_frame([(provider, model, bucket_of(before)), (provider, model, bucket_of(after))])
    )
    usage = USAGES[3]
    old, new = (genai_cost(provider, model, at, usage) for at in (before, after))

    assert old != new
    assert pricer.price(provider, model, before, usage) == old
    assert pricer.price(provider, model, after, usage) == new
    assert close(table_cost(table.row(0, named=True), usage), old)
    assert close(table_cost(table.row(1, named=True), usage), new)


def _before(entry: Entry, start: date) -> ModelPrice | None:
    """The price the day before `start`, if it differs from the price on `start`."""
    midnight = datetime.combine(start, time())
    old, new = (
        entry.model.get_prices(midnight - timedelta(days=1)),
        entry.model.get_prices(midnight),
    )
    if is_tiered(old) or old == new:
        return None
    return old


def test_time_of_day_window_prices_buckets_differently() -> None:
    entry = find_entry(
        lambda e: any(isinstance(c.constraint, TimeOfDateConstraint) for c in e.conditionals),
        "a time-of-day price",
    )
    window = next(
        c.constraint for c in entry.conditionals if isinstance(c.constraint, TimeOfDateConstraint)
    )
    day = date(2026, 11, 20)
    provider, model = entry.provider.id, entry.model.id
    buckets = [datetime.combine(day, time()) + i * BUCKET_WIDTH for i in range(48)]
    pricer = Pricer()
    table = pricer.rate_table(keys_frame([(provider, model, b) for b in buckets]))
    usage = USAGES[3]

    # Every bucket of the day agrees with genai-prices at that instant and at the bucket's end.
    for row in table.iter_rows(named=True):
        for at in (row["bucket"], row["bucket"] + BUCKET_WIDTH - timedelta(microseconds=1)):
            reference = genai_cost(provider, model, at, usage)
            assert close(table_cost(row, usage), reference), at
            assert pricer.price(provider, model, at, usage) == reference
    inside = datetime.combine(day, window.start_time.replace(tzinfo=None))
    outside = datetime.combine(day, window.end_time.replace(tzinfo=None))
    assert genai_cost(provider, model, inside, usage) != genai_cost(provider, model, outside, usage)
    assert table.select(pl.col("input").n_unique()).item() > 1


def test_unknown_constraint_kinds_fall_back_to_every_bucket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = keys_frame(
        [
            ("deepseek", "deepseek-chat", datetime(2026, 11, 20) + i * BUCKET_WIDTH)
            for i in range(48)
        ]
    )
    by_period = Pricer().rate_table(keys)
    monkeypatch.setattr(rates, "_schedule", lambda model: None)

    assert Pricer().rate_table(keys).equals(by_period)


def test_time_of_day_edges_sit_on_half_hours() -> None:
    """The 30-minute bucket is only exact while genai-prices' windows start on half hours."""
    snapshot = get_snapshot()
    edges = [
        edge
        for provider in snapshot.providers
        for model in provider.models
        if isinstance(model.prices, list)
        for c in model.prices
        if isinstance(c.constraint, TimeOfDateConstraint)
        for edge in (c.constraint.start_time, c.constraint.end_time)
    ]
    for edge in edges:
        utc = datetime.combine(date(2026, 1, 1), edge).astimezone(UTC)
        assert (utc.minute % 30, utc.second, utc.microsecond) == (0, 0, 0), edge


# ---------------------------------------------------------------- tiers


def test_tiered_model_is_flagged_and_priced_exactly_above_the_tier() -> None:
    pricer = Pricer()
    _, info = get_snapshot().find_provider_model("claude-sonnet-4-5", None, "anthropic", None)
    price = info.get_prices(AT)
    tiers = [v for v in vars(price).values() if isinstance(v, TieredPrices)]
    assert tiers, "claude-sonnet-4-5 is expected to have long-context tiers"
    threshold = min(t.start for tp in tiers for t in tp.tiers)
    row = one_row(pricer, "anthropic", "claude-sonnet-4-5", AT)

    assert row["tiered"] is True
    assert row["tier_start"] == threshold
    assert isinstance(price.input_mtok, TieredPrices)
    assert row["input"] == float(price.input_mtok.base / MTOK)

    at_threshold = TokenUsage(input_tokens=threshold, cache_read_tokens=1_000, output_tokens=50)
    reference = genai_cost("anthropic", "claude-sonnet-4-5", AT, at_threshold)
    assert close(table_cost(row, at_threshold), reference), "base rates hold up to tier_start"

    above = TokenUsage(
        input_tokens=threshold + 1,
        cache_read_tokens=50_000,
        cache_write_tokens=10_000,
        output_tokens=3_000,
        reasoning_tokens=1_000,
    )
    reference = genai_cost("anthropic", "claude-sonnet-4-5", AT, above)
    assert pricer.price("anthropic", "claude-sonnet-4-5", AT, above) == reference
    assert not close(table_cost(row, above), reference), "the cliff makes the linear rates wrong"


# ---------------------------------------------------------------- look-up and table shape


@pytest.mark.parametrize(
    ("traced", "canonical", "model"),
    [
        ("OpenAI", "openai", "gpt-4o"),
        ("Anthropic", "anthropic", "claude-sonnet-4-5"),
        ("gcp.vertex_ai", "google", "gemini-2.5-flash"),
        ("gcp.gemini", "google", "gemini-2.5-flash"),
        ("aws.bedrock", "aws", "amazon.nova-pro-v1:0"),
        ("azure.ai.openai", "azure", "gpt-4o"),
        ("mistral_ai", "mistral", "mistral-large-latest"),
        ("x_ai", "x-ai", "grok-3"),
        ("litellm", "openai", "openai/gpt-4o"),
    ],
)
def test_provider_spellings(traced: str, canonical: str, model: str) -> None:
    usage = USAGES[2]
    reference_model = model.split("/", 1)[-1]

    assert Pricer().price(traced, model, AT, usage) == genai_cost(
        canonical, reference_model, AT, usage
    )


def test_unknown_provider_falls_back_to_the_model_name() -> None:
    usage = USAGES[2]
    assert Pricer().price("ibm.watsonx.ai", "gpt-4o", AT, usage) == genai_cost(
        None, "gpt-4o", AT, usage
    )


def test_bucket_of() -> None:
    assert bucket_of(datetime(2026, 3, 1, 10, 29, 59, 999_999)) == datetime(2026, 3, 1, 10, 0)
    assert bucket_of(datetime(2026, 3, 1, 10, 30)) == datetime(2026, 3, 1, 10, 30)
    plus_two = timezone(timedelta(hours=2))
    assert bucket_of(datetime(2026, 3, 1, 0, 45, tzinfo=plus_two)) == datetime(2026, 2, 28, 22, 30)
    assert bucket_of(datetime(2026, 3, 1, 0, 45, tzinfo=UTC)).tzinfo is None


def test_rate_table_keeps_rows_and_types() -> None:
    keys = keys_frame(
        [
            ("openai", "gpt-4o", datetime(2026, 6, 1, 12)),
            (None, "nope-model", datetime(2026, 6, 1, 12, 30)),
            ("deepseek", "deepseek-chat", datetime(2026, 6, 1, 3)),
            ("openai", "gpt-4o", datetime(2026, 6, 1, 12)),
            ("deepseek", "deepseek-chat", datetime(2026, 6, 1, 20)),
        ]
    )
    table = Pricer().rate_table(keys)

    assert table.select("provider", "model", "bucket").equals(keys)
    expected: dict[str, pl.DataType] = {
        "provider": pl.Utf8(),
        "model": pl.Utf8(),
        "bucket": pl.Datetime("us"),
        **{column: pl.Float64() for column in RATE_COLUMNS},
        "tiered": pl.Boolean(),
        "tier_start": pl.Int64(),
        "priced": pl.Boolean(),
    }
    assert dict(table.schema) == expected
    assert table["priced"].to_list() == [True, False, True, True, True]
    assert table.row(0) == table.row(3)
    assert Pricer().rate_table(keys.clear()).height == 0


def test_rate_table_rejects_unaligned_buckets() -> None:
    with pytest.raises(ValueError, match="bucket"):
        Pricer().rate_table(keys_frame([("openai", "gpt-4o", datetime(2026, 6, 1, 12, 1))]))


def test_rate_table_evaluates_each_model_price_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[ModelPrice] = []
    real = rates._basis_rates

    def counting(price: ModelPrice) -> object:
        calls.append(price)
        return real(price)

    monkeypatch.setattr(rates, "_basis_rates", counting)
    models = [
        ("openai", "gpt-4o"),
        ("anthropic", "claude-sonnet-4-5"),
        ("gcp.gemini", "gemini-2.5-flash"),
        ("deepseek", "deepseek-chat"),
        ("deepseek", "deepseek-v4-flash"),
        (None, "unknown-model"),
    ]
    start = datetime(2026, 8, 1)
    buckets = [start + i * BUCKET_WIDTH for i in range(48 * 30)]
    keys = keys_frame([(p, m, b) for p, m in models for b in buckets])
    pricer = Pricer()

    table = pricer.rate_table(keys)

    assert table.height == len(models) * len(buckets)
    assert len(calls) == len({id(p) for p in calls}), "a ModelPrice was evaluated twice"
    assert len(calls) < 20
    pricer.rate_table(keys)
    assert len(calls) == len({id(p) for p in calls}), "the second table re-evaluated prices"
    # Spot-check the big table against the exact path.
    for row in table.gather_every(97).iter_rows(named=True):
        exact = pricer.price(row["provider"], row["model"], row["bucket"], USAGES[3])
        if exact is None:
            assert row["priced"] is False
        else:
            assert close(table_cost(row, USAGES[3]), exact)


def test_token_usage_must_be_inclusive() -> None:
    with pytest.raises(ValueError, match="inclusive"):
        TokenUsage(input_tokens=10, cache_read_tokens=8, cache_write_tokens=3)
    with pytest.raises(ValueError, match="inclusive"):
        TokenUsage(output_tokens=1, reasoning_tokens=2)
    with pytest.raises(ValueError, match="negative"):
        TokenUsage(input_tokens=-1)
