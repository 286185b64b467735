"""Numbers as people read them, shared by the CLI and the cockpit."""

from __future__ import annotations


def count(value: int) -> str:
    return f"{value:,}"


def usd(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "$0"
    if value < 0.01:
        return f"${value:.4f}"
    return f"${value:,.2f}"


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 10_000:
        return f"{value / 1000:.1f}s"
    return f"{value:,.0f}ms"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def compact(value: int) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return str(value)
