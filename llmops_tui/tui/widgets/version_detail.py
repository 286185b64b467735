"""Below the version history: the selected version's origin, and the artifact's label moves."""

from __future__ import annotations

from textual.widgets import Static

from llmops_tui.domain.versions import ArtifactVersion, LabelMove, version_tag

RECENT_MOVES = 8
"""Label moves listed, newest first."""


class VersionDetail(Static):
    """Where a version comes from: path, commit, author, date, the full commit message."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)  # commit messages are data, not markup

    def show(self, version: ArtifactVersion | None) -> None:
        if version is None:
            self.update("")
            return
        v = version
        origin = (
            f"{v.commit[:10]} · {v.author} · {v.committed_at:%Y-%m-%d %H:%M} UTC · {v.message}"
            if v.commit and v.committed_at
            else "uncommitted edits in the working tree"
        )
        extra = [f"variables {', '.join(v.variables)}"] if v.variables else []
        if v.row_count is not None:
            extra.append(f"{v.row_count:,} rows")
        if v.problem:
            extra.append(f"problem {v.path}{v.problem}")
        lines = [f"{v.ref}  {v.path}", origin]
        if extra:
            lines.append(" · ".join(extra))
        self.update("\n".join(lines))


class LabelMoves(Static):
    """The artifact's most recent label moves: when, which label, from where to where, who
    and why (the history `l` and `llmops versions label` append to)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show(self, moves: list[LabelMove]) -> None:
        """`moves` oldest first, as the store returns them."""
        recent = reversed(moves[-RECENT_MOVES:])
        self.update("\n".join(_line(m) for m in recent) or "none yet: l puts a label on a version")


def _line(move: LabelMove) -> str:
    before = version_tag(move.from_version) if move.from_version is not None else "new"
    after = version_tag(move.to_version) if move.to_version is not None else "-"
    reason = f"  {move.reason}" if move.reason else ""
    return (
        f"{move.moved_at:%Y-%m-%d %H:%M}  {move.label:<11} {before:>3} → {after:<4} "
        f"{move.moved_by}{reason}"
    )
