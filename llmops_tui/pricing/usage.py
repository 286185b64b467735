"""Token counts, user-set prices and the 30-minute rate bucket (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from genai_prices import Usage

__all__ = [
    "BUCKET_WIDTH",
    "RATE_COLUMNS",
    "PriceOverride",
    "TokenUsage",
    "bucket_of",
]

BUCKET_WIDTH = timedelta(minutes=30)
"""Width of a rate bucket; see the `llmops_tui.pricing` docstring for why 30 minutes."""

RATE_COLUMNS: tuple[str, ...] = (
    "per_request",
    "input",
    "cache_read",
    "cache_write",
    "output",
    "reasoning",
)
"""The Float64 USD rates `Pricer.rate_table` adds: USD per request, then USD per token."""

_MTOK = Decimal(1_000_000)


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
