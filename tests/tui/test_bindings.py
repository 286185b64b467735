"""Every key binding is described, and no two collide on a screen (STYLE rule 14)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen

from llmops_tui.tui.app import LlmopsApp
from llmops_tui.tui.screens.deploy_confirm import DeployConfirmScreen
from llmops_tui.tui.screens.deploys import DeploysScreen
from llmops_tui.tui.screens.evals import EvalsScreen
from llmops_tui.tui.screens.gate_verdict import GateVerdictScreen
from llmops_tui.tui.screens.help import HelpScreen
from llmops_tui.tui.screens.label_confirm import LabelConfirmScreen
from llmops_tui.tui.screens.label_pick import LabelPickScreen
from llmops_tui.tui.screens.overview import OverviewScreen
from llmops_tui.tui.screens.trace_detail import TraceScreen
from llmops_tui.tui.screens.traces import TracesScreen
from llmops_tui.tui.screens.version_diff import VersionDiffScreen
from llmops_tui.tui.screens.versions import VersionsScreen

SCREENS: list[type[Screen[Any]]] = [
    OverviewScreen,
    VersionsScreen,
    VersionDiffScreen,
    LabelPickScreen,
    LabelConfirmScreen,
    TracesScreen,
    TraceScreen,
    HelpScreen,
    EvalsScreen,
    GateVerdictScreen,
    DeploysScreen,
    DeployConfirmScreen,
]


def _keys(bindings: list[object]) -> list[tuple[str, str]]:
    pairs = []
    for item in bindings:
        assert isinstance(item, Binding), f"{item!r}: declare bindings as Binding(...)"
        for key in item.key.split(","):
            pairs.append((key.strip(), item.description))
    return pairs


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.__name__)
def test_every_binding_has_a_description_and_keys_do_not_collide(
    screen: type[Screen[Any]],
) -> None:
    own = _keys(list(screen.BINDINGS))
    app = _keys(list(LlmopsApp.BINDINGS))
    for key, description in own + app:
        assert description, f"{screen.__name__}: key {key!r} has no description"
    keys = [key for key, _ in own + app]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == [], f"{screen.__name__}: keys bound twice: {duplicates}"
