"""Built-in judges, registered through `register_judges` like any plugin's.

Every judge checks its options on each call (cheap next to a model call) and also offers
`check_options(options)`, so a caller can refuse a bad `[evals.judges.*]` table before
running a single case. The option conventions they share are in `options.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from llmops_tui.builtin_plugins.judges.budgets import Cost, Latency, Length
from llmops_tui.builtin_plugins.judges.matching import Contains, Exact, Regex
from llmops_tui.builtin_plugins.judges.numeric import Numeric
from llmops_tui.builtin_plugins.judges.options import CheckedJudge
from llmops_tui.builtin_plugins.judges.rubric import LlmRubric
from llmops_tui.builtin_plugins.judges.similarity import Similarity
from llmops_tui.builtin_plugins.judges.structured import JsonSchema, JsonValid
from llmops_tui.plugin_api import hookimpl

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


@hookimpl
def register_judges(register: Callable[[object], None]) -> None:
    for judge in BUILTIN_JUDGES:
        register(judge)
