"""Table cells from data: never parsed as markup (a span named `[x]` must not break a row)."""

from __future__ import annotations

from rich.text import Text


def plain(value: object) -> Text:
    return Text(str(value), no_wrap=True, end="")


def coloured(value: object, colour: str | None) -> Text:
    """`colour` is a theme variable's value (`app.theme_variables["error"]`), never a literal."""
    return Text(str(value), style=colour or "", no_wrap=True, end="")
