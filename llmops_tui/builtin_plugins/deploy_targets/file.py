"""`file`: the environment's state as a JSON file the app reads at start or on change.

The file is replaced atomically (a temporary file in the same folder, fsync, `os.replace`), so
a reader sees either the old state or the new one, never half of it. Writing the state the
file already holds changes nothing (not even `updated_at`): the repeat is a no-op.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from llmops_tui.builtin_plugins.deploy_targets.common import (
    check_options,
    option_str,
    payload,
    project_path,
)
from llmops_tui.domain.deploy import DeployOutcome, DeployRequest
from llmops_tui.plugin_api import DeployError

_SAME_STATE = ("environment", "release", "artifacts", "traffic")
"""What makes two files the same deployment (who wrote it, why and when don't)."""


class FileTarget:
    name = "file"
    description = "writes deploy/<env>.json (release, artifact versions, traffic) atomically"

    def deploy(self, request: DeployRequest) -> DeployOutcome:
        check_options(request, {"path"})
        shown = option_str(request, "path", f"deploy/{request.environment}.json")
        path = project_path(request, shown)
        state = payload(request)
        state["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        current = _read(path)
        if current is not None and all(current.get(k) == state[k] for k in _SAME_STATE):
            return DeployOutcome(f"{shown} already holds release {state['release']}", False)
        try:
            write_atomically(path, json.dumps(state, indent=2) + "\n")
        except OSError as error:
            raise DeployError(f"cannot write {shown}: {error.strerror or error}") from None
        return DeployOutcome(f"wrote {shown}")


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or damaged: it is rewritten
    return data if isinstance(data, dict) else None


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    # The rename itself is durable only once the folder is synced.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
