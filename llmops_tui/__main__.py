from __future__ import annotations

from llmops_tui.cli import main

main()
