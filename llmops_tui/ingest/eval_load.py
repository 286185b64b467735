"""Loading one eval result file (promptfoo, inspect-ai, OpenAI Evals) into `store.evals`.

An eval file is read whole, parsed by its importer (`ingest/formats/`) into runs and results,
and each run goes to `store.evals.import_run`, which stores a run and its results in one
transaction and ignores results already stored (natural key run × case × repetition × judge).
The caller then commits the file's checkpoint, so an unchanged file is skipped next time; a
kill between the two only means the next pass imports the file again and adds nothing.

A file that can't be imported fails whole, with one line naming the line or JSON path and the
field: a run missing the cases that broke would report a pass rate the tool never measured.
An OpenAI Evals record file still being written (a last line without its newline) loads its
complete lines and is read again, whole, when it grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from llmops_tui.errors import IngestError
from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.eval_files import EvalFileError, EvalImport
from llmops_tui.ingest.formats.inspect_ai import import_inspect, read_eval_zip
from llmops_tui.ingest.formats.openai_evals import import_openai_evals
from llmops_tui.ingest.formats.promptfoo import import_promptfoo
from llmops_tui.ingest.report import FileReport
from llmops_tui.ingest.sniff import Sniffed, TraceFormat
from llmops_tui.ingest.source import FileInfo, open_stream, read_rest

if TYPE_CHECKING:
    from llmops_tui.store import Store

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class EvalFileRead:
    """How much of the file was read: what its checkpoint records."""

    offset: int
    lines: int
    complete: bool


def load_eval_file(
    store: Store, info: FileInfo, key: str, sniffed: Sniffed, report: FileReport
) -> EvalFileRead:
    """Import every run of an eval file; counts go into `report`. `key` (the resolved path)
    is the runs' `source_path`; errors name the path as the user gave it.

    Raises:
        IngestError: the file can't be read or imported (one line: file, line or path, field).
    """
    with open_stream(info) as stream:
        data = read_rest(stream, offset=0)
    try:
        imports, read = _parse(data, sniffed.format, key)
    except EvalFileError as error:
        raise IngestError(str(info.path), str(error), line=error.line) from None
    except RecordError as error:
        raise IngestError(str(info.path), str(error)) from None
    for item in imports:
        added = store.evals.import_run(item.run, item.results)
        report.eval_runs += bool(added) or not item.results
        report.eval_results += added
        report.duplicates += len(item.results) - added
    report.held_back = not read.complete
    return read


def _parse(data: bytes, fmt: TraceFormat, key: str) -> tuple[list[EvalImport], EvalFileRead]:
    whole = EvalFileRead(len(data), data.count(b"\n"), complete=True)
    if fmt is TraceFormat.OPENAI_EVALS:
        return _parse_records(data, key)
    if fmt is TraceFormat.INSPECT_AI and data.startswith(_ZIP_MAGIC):
        header, samples = read_eval_zip(data)
        return [import_inspect(header, samples, source_path=key)], whole
    document = _json(data)
    if fmt is TraceFormat.INSPECT_AI:
        if not isinstance(document, dict):
            raise EvalFileError("(top level): expected an inspect-ai EvalLog object")
        items = document.get("samples") or []
        if not isinstance(items, list):
            raise EvalFileError("samples: expected a list")
        samples = [(s, f"samples[{i}]") for i, s in enumerate(items)]
        for sample, where in samples:
            if not isinstance(sample, dict):
                raise EvalFileError(f"{where}: expected an object")
        return [import_inspect(document, samples, source_path=key)], whole
    return import_promptfoo(document, source_path=key), whole


def _json(data: bytes) -> object:
    """The document; Python's parser as a fallback for NaN and Infinity, which orjson refuses
    and Python-written logs (inspect's metrics) may contain."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        detail = (
            f"column {error.colno}: {error.msg}"
            if isinstance(error, json.JSONDecodeError)
            else "not UTF-8 text"
        )
        raise EvalFileError(
            f"not valid JSON ({detail}); a truncated or half-written file?", line=line
        ) from None


def _parse_records(data: bytes, key: str) -> tuple[list[EvalImport], EvalFileRead]:
    lines = data.split(b"\n")
    complete = True
    if lines and lines[-1].strip():
        try:
            orjson.loads(lines[-1])
        except orjson.JSONDecodeError:
            lines.pop()  # a half-written last line: left for the next pass
            complete = False
    numbered = [(n, line.rstrip(b"\r")) for n, line in enumerate(lines, start=1)]
    item = import_openai_evals(numbered, source_path=key)
    consumed = len(data) if complete else data.rfind(b"\n") + 1
    return [item], EvalFileRead(consumed, data.count(b"\n", 0, consumed), complete)
