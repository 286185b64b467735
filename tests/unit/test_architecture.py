"""Layering rules that keep the CLI fast and SQL in one place (STYLE rules 3-5)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "llmops_tui"


def test_importing_the_cli_does_not_import_textual() -> None:
    code = "import sys, llmops_tui.cli; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_sql_lives_only_in_the_store() -> None:
    statement = re.compile(
        r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s+(\*|[a-z_]+\s*(,|from|into|set))", re.I
    )
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "store" not in path.relative_to(PACKAGE).parts[:1] and statement.search(path.read_text())
    ]
    assert offenders == []


def test_only_the_store_imports_duckdb() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] != "store"
        and re.search(r"^\s*(import duckdb|from duckdb)", path.read_text(), re.M)
    ]
    assert offenders == []
