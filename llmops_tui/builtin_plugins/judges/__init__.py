"""Built-in judges, registered through `register_judges` like any plugin's.

Every judge checks its options on each call (cheap next to a model call) and also offers
`check_options(options)`, so a caller can refuse a bad `[evals.judges.*]` table before
running a single case. The option conventions they share are in `options.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from llmops_tui.builtin_plugins.judges.budgets import Cost, Latency, Length
from llmops_tui.builtin_plugins.judges.matching import Contains, Exact, Regex
from llmops_tui.builtin_plugins.judges.numeric import Numeric
from llmops_tui.builtin_plugins.judges.options import CheckedJudge, NotExpected
from llmops_tui.builtin_plugins.judges.rubric import LlmRubric
from llmops_tui.builtin_plugins.judges.similarity import Similarity
from llmops_tui.builtin_plugins.judges.structured import JsonSchema, JsonValid
from llmops_tui.plugin_api import JudgeInput, Score, hookimpl

BUILTIN_JUDGES: tuple[CheckedJudge, ...] = (
    Exact(),
    Contains(),
    Regex(),
    JsonValid(),
    JsonSchema(),
    Numeric(),
    Similarity(),
    Length(),
    Latency(),
    Cost(),
    LlmRubric(),
)


class PassWhenNotExpected:
    """A judge whose `if_missing = "pass"` turns "this case expects nothing of me" into a
    pass with that reason (a citation check on a case that cites nothing)."""

    def __init__(self, judge: CheckedJudge) -> None:
        self._judge = judge
        self.name = judge.name
        self.description = judge.description

    def check_options(self, options: Mapping[str, Any]) -> None:
        self._judge.check_options(options)

    def judge(self, item: JudgeInput) -> Score:
        try:
            return self._judge.judge(item)
        except NotExpected as missing:
            return Score(passed=True, reason=f"not applicable: {missing}")


@hookimpl
def register_judges(register: Callable[[object], None]) -> None:
    for judge in BUILTIN_JUDGES:
        register(PassWhenNotExpected(judge))
