"""The Versions screen's artifact list: artifacts grouped by kind, labels beside each name."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree

from llmops_tui.domain.versions import ArtifactKind, ArtifactSummary

ArtifactKey = tuple[ArtifactKind, str]

KIND_TITLES = {
    ArtifactKind.PROMPT: "prompts",
    ArtifactKind.MODEL: "models",
    ArtifactKind.RETRIEVAL: "retrieval",
    ArtifactKind.DATASET: "datasets",
}


class ArtifactTree(Tree[ArtifactKey | None]):
    """Kinds as branches, artifacts as leaves; a leaf's data is its (kind, name)."""

    DEFAULT_CSS = """
    ArtifactTree { width: 26; height: 1fr; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("artifacts", id=id)
        self.show_root = False
        self.guide_depth = 2

    def show(self, artifacts: list[ArtifactSummary], selected: ArtifactKey | None) -> None:
        """Rebuild the tree and put the cursor on `selected` (or the first artifact)."""
        self.clear()
        first: int | None = None
        wanted: int | None = None
        line = 0
        for kind, title in KIND_TITLES.items():
            members = [a for a in artifacts if a.kind is kind]
            if not members:
                continue
            branch = self.root.add(Text(title, style="bold"), None, expand=True)
            line += 1
            for artifact in members:
                branch.add_leaf(_leaf_label(artifact), (artifact.kind, artifact.name))
                first = line if first is None else first
                if (artifact.kind, artifact.name) == selected:
                    wanted = line
                line += 1
        target = wanted if wanted is not None else first
        if target is not None:
            self.cursor_line = target

    @property
    def selected(self) -> ArtifactKey | None:
        node = self.cursor_node
        return node.data if node is not None else None


def _leaf_label(artifact: ArtifactSummary) -> Text:
    label = Text(artifact.name, no_wrap=True)
    if artifact.deleted:
        label.append(" (deleted)", style="dim")
    tags = f"v{artifact.latest}" if artifact.latest else ""
    if artifact.has_working:
        tags = f"{tags}+" if tags else "working"
    if tags:
        label.append(f" {tags}", style="dim")
    return label
