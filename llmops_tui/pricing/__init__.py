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
`PriceOverride` is defined in this package (not in the config module) so pricing depends on
nothing but genai-prices and polars; the config loader builds it.

Layout: `usage` holds the inputs (`TokenUsage`, `PriceOverride`, `bucket_of` and the
constants), `rates` the basis-rate evaluation, the price schedules and the rate-id numbering,
and `pricer` the `Pricer` itself with the provider-id normalisation it looks models up with.
"""

from __future__ import annotations

from llmops_tui.pricing.pricer import Pricer
from llmops_tui.pricing.usage import (
    BUCKET_WIDTH,
    RATE_COLUMNS,
    PriceOverride,
    TokenUsage,
    bucket_of,
)

__all__ = [
    "BUCKET_WIDTH",
    "RATE_COLUMNS",
    "PriceOverride",
    "Pricer",
    "TokenUsage",
    "bucket_of",
]
