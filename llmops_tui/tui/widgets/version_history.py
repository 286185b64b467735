"""An artifact's versions, newest first, with each version's own production figures.

Metrics come before the commit details so that they stay in view on a narrow terminal; the
table scrolls sideways for the rest. A version without linked spans in the selected window
shows blanks, not zeros: "no traffic" is not "no errors".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.widgets import DataTable

from llmops_tui.domain.scores import NO_SCORES, VersionScores
from llmops_tui.domain.versions import VersionRow
from llmops_tui.formatting import count, ms, percent, usd
from llmops_tui.tui.widgets.cells import coloured, plain

COLUMNS = (
    "version",
    "labels",
    "deployed",
    "requests",
    "p95",
    "errors",
    "cost/req",
    "judge",
    "feedback",
    "commit",
    "date",
    "author",
    "message",
)
MARK = "◆"
"""Before the version picked first for a two-version diff (`D`)."""


class VersionHistory(DataTable[Text]):
    """One row per version; the row key is the version number. The judge and feedback
    columns appear only when some version has scores of that kind, the deployed column
    (`●production` runs it now, `◐` as a canary, `○` ran it before) when some version was
    deployed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[VersionRow] = []
        self.scores_shown: Mapping[str, VersionScores] = {}
        self.deployed_shown: Mapping[str, str] = {}
        self._columns_shown: tuple[str, ...] = ()

    def show(
        self,
        rows: list[VersionRow],
        scores: Mapping[str, VersionScores],
        *,
        marked: int | None,
        label_colour: str | None,
        deployed: Mapping[str, str] | None = None,
    ) -> None:
        """Replace the rows, keeping the cursor on the same version when it is still there.
        `deployed` maps a version's content hash to where it is or was deployed."""
        keep = self.selected.version.number if self.selected else None
        self.rows_shown, self.scores_shown = rows, scores
        self.deployed_shown = deployed = deployed if deployed is not None else self.deployed_shown
        columns = _columns(scores.values(), bool(deployed))
        self.clear(columns=columns != self._columns_shown)
        if columns != self._columns_shown:
            self.add_columns(*columns)
            self._columns_shown = columns
        for row in rows:
            cells = _cells(
                row, scores.get(row.version.content_hash, NO_SCORES), marked, label_colour
            )
            cells["deployed"] = coloured(deployed.get(row.version.content_hash, ""), label_colour)
            self.add_row(*(cells[c] for c in columns), key=str(row.version.number))
        numbers = [r.version.number for r in rows]
        if keep in numbers:
            self.move_cursor(row=numbers.index(keep))
        elif rows:
            self.move_cursor(row=0)

    @property
    def selected(self) -> VersionRow | None:
        if not self.rows_shown or not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]

    def previous_of(self, row: VersionRow) -> VersionRow | None:
        """The version before `row` (rows are newest first, so the one below it)."""
        index = self.rows_shown.index(row)
        return self.rows_shown[index + 1] if index + 1 < len(self.rows_shown) else None


def _columns(scores: Iterable[VersionScores], deployed: bool) -> tuple[str, ...]:
    present = list(scores)
    shown = {
        "judge": any(s.judge_count for s in present),
        "feedback": any(s.feedback_count for s in present),
        "deployed": deployed,
    }
    return tuple(c for c in COLUMNS if shown.get(c, True))


def _cells(
    row: VersionRow, scores: VersionScores, marked: int | None, label_colour: str | None
) -> dict[str, Text]:
    v, m = row.version, row.metrics
    linked = m.requests > 0
    tag = f"{MARK}{v.tag}" if v.number == marked else v.tag
    cells = {
        "version": tag,
        "labels": coloured(" ".join(row.labels), label_colour),
        "requests": count(m.requests) if linked else "",
        "p95": ms(m.p95_ms) if linked else "",
        "errors": percent(m.error_rate) if linked else "",
        "cost/req": usd(m.cost_per_request) if m.cost_per_request is not None else "",
        "judge": f"{scores.judge_mean:.2f}" if scores.judge_mean is not None else "",
        "feedback": (
            f"{scores.feedback_mean:.2f} ({count(scores.feedback_count)})"
            if scores.feedback_mean is not None
            else ""
        ),
        "commit": v.commit[:7] if v.commit else "",
        "date": f"{v.committed_at:%Y-%m-%d %H:%M}" if v.committed_at else "uncommitted",
        "author": v.author or "",
        "message": (v.message or "")[:60],
    }
    return {k: c if isinstance(c, Text) else plain(c) for k, c in cells.items()}
