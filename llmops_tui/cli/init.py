"""`llmops init [DIR]`: make a folder an llmops project."""

from __future__ import annotations

import json
from pathlib import Path

import click

from llmops_tui.config import CONFIG_NAME, DEFAULT_DB
from llmops_tui.domain.versions import DEFAULT_GLOBS
from llmops_tui.errors import LlmopsError

TEMPLATE = """\
# llmops-tui project settings. The database lives in .llmops/ beside this file
# (override with --db PATH or LLMOPS_DB).

[project]
# Shown in the cockpit's header. Defaults to this folder's name.
name = "{name}"

# Prices for models genai-prices doesn't know, or that you pay differently for,
# in USD per million tokens. Cache reads/writes and reasoning tokens fall back
# to the input/output rates when not given. Re-run `llmops reprice` after edits.
#
# [pricing.models."my-finetune-v1"]
# input_per_mtok = 0.50
# output_per_mtok = 1.50
# cache_read_per_mtok = 0.05

# Versioned artifacts: files in git that `llmops versions sync` registers. Each
# distinct content is a version (v1, v2, ... in git order); uncommitted edits
# show as `working`. An artifact's name is its path below the glob's folder,
# without extension: prompts/support.md is `support`. These are the defaults;
# uncomment a line to change a kind's globs (a kind left out keeps them).
#
[artifacts]
# Prompt templates: Markdown/text (the whole file is the system prompt), or
# YAML/JSON with `messages` ({{role, content}}) and `variables`; {{{{name}}}} marks a
# template variable.
# prompt = {prompt}
# Model configs: provider, model and parameters.
# model = {model}
# Retrieval configs: any mapping (index, embedding model, top_k...).
# retrieval = {retrieval}
# Eval datasets: JSONL (an object a line) or CSV with a header row.
# dataset = {dataset}
"""


@click.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path), default=Path("."))
def init_command(directory: Path) -> None:
    """Create llmops.toml (commented, with the default artifact folders) and the .llmops/
    data folder in DIRECTORY."""
    config = directory / CONFIG_NAME
    if config.exists():
        raise LlmopsError(f"{config}: already exists; nothing was changed")
    directory.mkdir(parents=True, exist_ok=True)
    name = directory.resolve().name or "llmops"
    globs = {kind.value: json.dumps(list(patterns)) for kind, patterns in DEFAULT_GLOBS.items()}
    config.write_text(TEMPLATE.format(name=name, **globs), encoding="utf-8")
    data = directory / DEFAULT_DB.parent
    data.mkdir(exist_ok=True)
    # The database is local state, not something to commit.
    (data / ".gitignore").write_text("*\n", encoding="utf-8")
    click.echo(
        f"created {config}; load traces with `llmops ingest PATH`, register prompts and "
        "configs with `llmops versions sync`"
    )
