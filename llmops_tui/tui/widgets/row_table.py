"""A read-only table of plain-text rows, drawn with Textual's Line API.

`DataTable` measures and renders every cell through Rich: about 60 ms to show a page of 100
traces at 120 columns, more than the whole store query. This table is handed rows whose cells
are already text (attributes down), sizes its columns once per page, and renders only the lines
on screen, each as a few segments: a page shows in about a millisecond. It keeps what the
Traces list needs from `DataTable`: a header, zebra stripes, a row cursor moved by the keys and
the mouse, cells in the alert colour (a failed trace's status) or the accent colour (a span's
timing bar), and `Highlighted` / `Selected` messages as the cursor moves and on enter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

MAX_COLUMN = 40


class RowTable(ScrollView, can_focus=True):
    """Rows of text cells with a pinned header and a row cursor."""

    DEFAULT_CSS = """
    RowTable { height: 1fr; }
    RowTable > .row-table--header { text-style: bold; color: $text; background: $panel; }
    RowTable > .row-table--odd { background: $surface; }
    RowTable > .row-table--cursor { background: $block-cursor-blurred-background; }
    RowTable:focus > .row-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    RowTable > .row-table--alert { color: $error; }
    RowTable > .row-table--accent { color: $accent; }
    RowTable > .row-table--success { color: $success; }
    RowTable > .row-table--warning { color: $warning; }
    RowTable > .row-table--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-table--header",
        "row-table--odd",
        "row-table--cursor",
        "row-table--alert",
        "row-table--accent",
        "row-table--success",
        "row-table--warning",
        "row-table--muted",
    }
    TONES: ClassVar[frozenset[str]] = frozenset({"alert", "accent", "success", "warning", "muted"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "cursor_home", "First row", show=False),
        Binding("end", "cursor_end", "Last row", show=False),
        Binding("enter", "select_row", "Open", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another row."""

        table: RowTable
        row: int

        @property
        def control(self) -> RowTable:
            return self.table

    @dataclass
    class Selected(Message):
        """Enter or a click on a row."""

        table: RowTable
        row: int

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(self, columns: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._columns = tuple(columns)
        self._rows: list[tuple[str, ...]] = []
        self._alerts: list[int | None] = []
        self._tones: list[tuple[int, str] | None] = []
        self._accent: int | None = None
        self._widths = [len(c) for c in self._columns]

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> tuple[str, ...]:
        """The cells of row `index`, as shown."""
        return self._rows[index]

    def tone(self, index: int) -> tuple[int, str] | None:
        """Row `index`'s coloured cell and its tone, if it has one."""
        return self._tones[index] if index < len(self._tones) else None

    def set_rows(
        self,
        rows: Sequence[tuple[str, ...]],
        *,
        alerts: Sequence[int | None] = (),
        accent: int | None = None,
        tones: Sequence[tuple[int, str] | None] = (),
    ) -> None:
        """Replace every row; `alerts[i]` is the index of row i's cell shown in the alert
        colour (None for none), and the `accent` column of the other rows is in the accent
        colour. `tones[i]`, when given, is `(cell, tone)`: row i's cell in a theme colour
        (`alert`, `accent`, `success`, `warning`, `muted`), before `alerts` and `accent`.
        The cursor stays where it was, within the new rows."""
        self._rows = list(rows)
        self._alerts = list(alerts) or [None] * len(self._rows)
        self._tones = list(tones)
        self._accent = accent
        self._widths = [
            min(MAX_COLUMN, max([len(title), *(len(r[i]) for r in self._rows)]))
            for i, title in enumerate(self._columns)
        ]
        self.virtual_size = Size(sum(self._widths) + 2 * len(self._widths), len(self._rows) + 1)
        self.cursor_row = self._clamp(self.cursor_row)
        self.refresh()

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = self._clamp(row)

    def _clamp(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1))

    def watch_cursor_row(self, before: int, after: int) -> None:
        if before != after and self._rows:
            self.post_message(self.Highlighted(self, after))
        visible = max(self.scrollable_content_region.height - 1, 1)
        if self.cursor_row < self.scroll_y:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= self.scroll_y + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def _cells(self, cells: Sequence[str]) -> list[str]:
        return [f" {c[:w]:<{w}} " for c, w in zip(cells, self._widths, strict=False)]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            style = self.get_component_rich_style("row-table--header")
            segments = [Segment("".join(self._cells(self._columns)), style)]
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, self.rich_style)
            segments = self._row_segments(index)
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, self._base_style(y + scroll_y - 1))

    def _base_style(self, index: int) -> Style:
        style = self.rich_style
        if index == self.cursor_row and self._rows:
            return style + self.get_component_rich_style("row-table--cursor")
        if index % 2:
            return style + self.get_component_rich_style("row-table--odd")
        return style

    def _row_segments(self, index: int) -> list[Segment]:
        base = self._base_style(index)
        cells = self._cells(self._rows[index])
        marked = self._alerts[index] if index < len(self._alerts) else None
        component = "row-table--alert"
        tone = self._tones[index] if index < len(self._tones) else None
        if tone is not None and tone[1] in self.TONES:
            marked, component = tone[0], f"row-table--{tone[1]}"
        if marked is None:
            marked, component = self._accent, "row-table--accent"
        if marked is None or marked >= len(cells):
            return [Segment("".join(cells), base)]
        colour = Style(color=self.get_component_rich_style(component).color)
        return [
            Segment("".join(cells[:marked]), base),
            Segment(cells[marked], base + colour),
            Segment("".join(cells[marked + 1 :]), base),
        ]

    # -- keys and mouse ---------------------------------------------------------------------

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def action_cursor_up(self) -> None:
        self.cursor_row = self._clamp(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.cursor_row = self._clamp(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.cursor_row = self._clamp(self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.cursor_row = self._clamp(self.cursor_row + self._page())

    def action_cursor_home(self) -> None:
        self.cursor_row = 0

    def action_cursor_end(self) -> None:
        self.cursor_row = self._clamp(len(self._rows) - 1)

    def action_select_row(self) -> None:
        if self._rows:
            self.post_message(self.Selected(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= index < len(self._rows):
            if index == self.cursor_row:
                self.post_message(self.Selected(self, index))
            self.cursor_row = index
