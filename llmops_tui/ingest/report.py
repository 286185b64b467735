"""What an ingest run reports per file and in total, and the exit code it implies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from llmops_tui.store.span_load import RejectedLine, SourceResult

FileStatus = Literal["loaded", "unchanged", "empty", "failed"]


@dataclass
class FileReport:
    path: str
    status: FileStatus = "loaded"
    format: str | None = None
    spans_loaded: int = 0
    duplicates: int = 0
    rejects: int = 0
    first_rejects: list[RejectedLine] = field(default_factory=list)
    eval_runs: int = 0
    """Eval runs (promptfoo, inspect-ai, OpenAI Evals) that gained results from this file."""
    eval_results: int = 0
    """Eval results new to the store; results already stored count as duplicates."""
    held_back: bool = False
    """An incomplete last line or object was left for the next pass (a writer mid-line)."""
    error: str | None = None

    def add(self, result: SourceResult, max_reasons: int) -> None:
        self.spans_loaded += result.spans_loaded
        self.duplicates += result.duplicates
        self.rejects += result.rejects
        room = max_reasons - len(self.first_rejects)
        self.first_rejects.extend(result.first_rejects[: max(room, 0)])


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def spans_loaded(self) -> int:
        return sum(f.spans_loaded for f in self.files)

    @property
    def eval_runs(self) -> int:
        return sum(f.eval_runs for f in self.files)

    @property
    def eval_results(self) -> int:
        return sum(f.eval_results for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejects(self) -> int:
        return sum(f.rejects for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    def exit_code(self, *, strict: bool) -> int:
        if self.failed:
            return 2
        if strict and self.rejects:
            return 1
        return 0
