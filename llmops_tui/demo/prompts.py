"""The support prompt's versions, read from `sample_project/` and rendered like the app does.

The demo's LLM spans carry the system prompt the app actually sent: a prompt version with its
`{{variables}}` filled in. Reading the versions from the sample project (instead of keeping a
copy here) means a trace's system message always matches the file the Versions screen shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "sample_project"
"""The sample project in a source checkout (it is not shipped inside the wheel)."""

PROMPT_VERSIONS = ("v1", "v2", "v3", "v4")
"""Versions of the `support` prompt the traffic rolls out, oldest first."""

_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def load_prompt_versions(project: Path = SAMPLE_PROJECT) -> dict[str, str]:
    """Every version of the `support` prompt: history/support.vN.md, then the current file."""
    files = {
        "v1": project / "history" / "support.v1.md",
        "v2": project / "history" / "support.v2.md",
        "v3": project / "history" / "support.v3.md",
        "v4": project / "prompts" / "support.md",
    }
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"support prompt versions not found: {', '.join(missing)}")
    return {version: path.read_text(encoding="utf-8") for version, path in files.items()}


@dataclass(frozen=True, slots=True)
class Template:
    """A prompt split at its variables, so rendering is one join instead of a regex pass."""

    literals: tuple[str, ...]
    variables: tuple[str, ...]
    """`literals[0] + values[variables[0]] + literals[1] + ...`; one more literal than variables."""

    @classmethod
    def parse(cls, text: str) -> Template:
        pieces = _VARIABLE.split(text)
        return cls(tuple(pieces[0::2]), tuple(pieces[1::2]))

    def render(self, values: Mapping[str, str]) -> str:
        parts = [self.literals[0]]
        for name, literal in zip(self.variables, self.literals[1:], strict=True):
            parts.append(values[name])
            parts.append(literal)
        return "".join(parts)


KNOWN_VARIABLES = frozenset({"customer_name", "plan", "today", "kb_articles"})
"""What the simulated app can fill in; a prompt asking for anything else is a demo bug."""


def parse_versions(prompts: Mapping[str, str]) -> dict[str, Template]:
    """Check that `prompts` holds exactly the rolled-out versions and only known variables."""
    if set(prompts) != set(PROMPT_VERSIONS):
        expected, got = ", ".join(PROMPT_VERSIONS), ", ".join(sorted(prompts))
        raise ValueError(f"prompt versions must be {expected}, got {got}")
    templates = {version: Template.parse(prompts[version]) for version in PROMPT_VERSIONS}
    for version, template in templates.items():
        unknown = set(template.variables) - KNOWN_VARIABLES
        if unknown:
            raise ValueError(f"support {version} uses unknown variables: {sorted(unknown)}")
    return templates
