"""`scripted` as an LLM judge: a parseable JSON verdict derived from the judged text.

The `llm_rubric` judge calls its provider with `prompt_name = "llm_rubric"` and the answer to
grade inside its messages. The verdict must be deterministic and must agree with how
`scripted` wrote that answer, so a demo's rubric scores track its heuristic judges: bad
scripted answers open with a hedge (`scripted_answers.HEDGES`), which scores low; anything
else scores high, with a spread from a hash of the text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from llmops_tui.builtin_plugins.providers.scripted_answers import HEDGES
from llmops_tui.plugin_api import ChatMessage

RUBRIC_PROMPT = "llm_rubric"
_TAGGED = re.compile(r"<(output|answer|response)>\s*(.*?)\s*</\1>", re.DOTALL | re.IGNORECASE)
_LABELLED = re.compile(r"^(?:output|answer|response)\s*:\s*(.*)", re.DOTALL | re.IGNORECASE | re.M)


def judged_text(messages: Sequence[ChatMessage]) -> str:
    """The answer being graded: inside `<output>`/`<answer>`/`<response>` tags, else after
    an `Output:`/`Answer:`/`Response:` line, else the whole last user message."""
    users = [m.content for m in messages if m.role == "user"]
    text = users[-1] if users else ""
    tagged = _TAGGED.findall(text)
    if tagged:
        return str(tagged[-1][1])
    labelled = _LABELLED.findall(text)
    return str(labelled[-1]).strip() if labelled else text.strip()


def rubric_verdict(messages: Sequence[ChatMessage]) -> str:
    text = judged_text(messages)
    spread = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") / 2**32
    if not text:
        score, reason = 0.0, "the answer is empty"
    elif any(hedge.lower() in text.lower() for hedge in HEDGES):
        score, reason = 0.1 + 0.3 * spread, "the answer hedges and misses what was asked"
    else:
        score, reason = 0.65 + 0.35 * spread, "the answer is direct and addresses the request"
    return json.dumps({"score": round(score, 3), "reason": reason})
