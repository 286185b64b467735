"""Text sparklines and deltas: compact enough for a table cell, stable in snapshots."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int | None = None) -> str:
    """One character per value (averaged down to `width` when given)."""
    if width is not None and len(values) > width > 0:
        step = len(values) / width
        values = [
            sum(values[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)])
            / max(int((i + 1) * step) - int(i * step), 1)
            for i in range(width)
        ]
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(int(v / top * (len(BARS) - 1) + 0.5), len(BARS) - 1)] for v in values)


def delta(current: float | None, previous: float | None) -> tuple[str, int]:
    """The change as text, and its sign (-1, 0, 1); '' when there is nothing to compare."""
    if current is None or previous is None:
        return "", 0
    if previous == 0:
        return ("new", 1) if current else ("", 0)
    change = (current - previous) / abs(previous)
    if abs(change) < 0.005:
        return "±0%", 0
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow}{abs(change) * 100:.0f}%", 1 if change > 0 else -1
