"""llmops-judge-example: a `no_pii` judge for llmops-tui, and the template for your own.

This module is what the `llmops_tui` entry point in `pyproject.toml` names. llmops imports
it, finds the functions marked `@hookimpl` and calls them: `register_judges` is called once
when plugins load, with a `register` callback that checks each judge on the spot (it must
have a `name`, a `description` and a `judge` method) and refuses a name already taken.
"""

from __future__ import annotations

from collections.abc import Callable

from llmops_judge_example.judge import NoPii
from llmops_tui.plugin_api import Judge, hookimpl

__all__ = ["NoPii", "register_judges"]


@hookimpl
def register_judges(register: Callable[[Judge], None]) -> None:
    register(NoPii())
