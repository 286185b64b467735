"""Durations as users type them: `90m`, `24h`, `7d`, `2w`, `all`."""

from __future__ import annotations

import re
from datetime import timedelta

from llmops_tui.errors import LlmopsError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta | None:
    """A span of time back from now; None for `all`."""
    if text.strip().lower() == "all":
        return None
    match = _DURATION.match(text)
    if match is None:
        raise LlmopsError(f"--since: expected a duration like 30m, 24h, 7d or 'all', got {text!r}")
    amount, unit = float(match.group(1)), match.group(2).lower()
    seconds = amount * _UNITS[unit]
    if seconds <= 0 or seconds > 100 * 365 * 86400:
        raise LlmopsError(f"--since: expected a duration between 1s and 100 years, got {text!r}")
    return timedelta(seconds=seconds)
