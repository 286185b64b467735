"""Calling one built-in judge on one answer, as the runner would, in one line per test."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmops_tui.builtin_plugins.judges import BUILTIN_JUDGES
from llmops_tui.domain.evals import Complete
from llmops_tui.plugin_api import EvalCase, JudgeInput, ProviderResponse, Score

JUDGES = {judge.name: judge for judge in BUILTIN_JUDGES}


def judge(
    name: str,
    output: str,
    options: Mapping[str, Any] | None = None,
    *,
    expected: Any = None,
    case_id: str = "c1",
    response: ProviderResponse | None = None,
    complete: Complete | None = None,
    vars: Mapping[str, Any] | None = None,
) -> Score:
    item = JudgeInput(
        case=EvalCase(case_id=case_id, vars=vars or {}, expected=expected),
        output=output,
        options=options or {},
        response=response,
        complete=complete,
    )
    return JUDGES[name].judge(item)
