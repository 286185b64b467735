"""Reading a grade out of a judge model's answer.

Judge models are asked for `{"score": n, "reason": "..."}` but do not always comply: they
wrap the JSON in a fence or a sentence, answer `Score: 4` with prose around it, or `4/5`.
`read_grade` accepts all of these, in that order of trust: a JSON object anywhere in the
answer, then the last `Score: n` line (models state their final verdict last), then the last
`n/m` or `n out of m`, then an answer that is only a number. Anything else returns None, and
the judge reports the answer as unparseable rather than guessing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_NUM = r"[-+]?\d+(?:\.\d+)?"
_SCORE_LINE = re.compile(
    rf"\b(?:final\s+)?(?:score|rating|grade)\b\**\s*(?::|=|is)\s*\**\s*({_NUM})"
    rf"(?:\s*(?:/|out\s+of)\s*({_NUM}))?",
    re.IGNORECASE,
)
_OUT_OF = re.compile(rf"(?<![\w./])({_NUM})\s*(?:/|out\s+of)\s*({_NUM})(?![\w/])", re.IGNORECASE)
_BARE = re.compile(rf"\s*\**({_NUM})\**\s*\.?\s*")
_REASON_LINE = re.compile(r"\b(?:reason|reasoning|explanation|rationale)\s*:\s*(.+)", re.I)
_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL | re.IGNORECASE)
_SCORE_KEYS = ("score", "rating", "grade", "value")
_REASON_KEYS = ("reason", "reasoning", "explanation", "rationale")
_PASS_KEYS = ("pass", "passed")


@dataclass(frozen=True, slots=True)
class Grade:
    """What the judge model said: a score (on `out_of` when it wrote `n/m`) or, from a JSON
    answer with only `"pass": true/false`, a bare verdict."""

    score: float | None
    reason: str | None = None
    out_of: float | None = None
    verdict: bool | None = None


def _json_object(text: str) -> dict[str, Any] | None:
    stripped = text.strip()
    candidates = [stripped]
    fenced = _FENCE.search(text)
    if fenced:
        candidates.append(fenced.group(1))
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            return parsed
    return None


def _from_json(obj: dict[str, Any]) -> Grade | None:
    lowered = {str(k).lower(): v for k, v in obj.items()}
    reason = next((str(lowered[k]) for k in _REASON_KEYS if lowered.get(k)), None)
    for key in _SCORE_KEYS:
        value = lowered.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            return Grade(float(value), reason)
        if isinstance(value, str):
            grade = _from_text(value)
            if grade is not None:
                return Grade(grade.score, reason, grade.out_of)
    for key in _PASS_KEYS:
        if isinstance(lowered.get(key), bool):
            return Grade(None, reason, verdict=lowered[key])
    return None


def _from_text(text: str) -> Grade | None:
    reason_match = _REASON_LINE.search(text)
    reason = reason_match.group(1).strip() if reason_match else None
    for pattern in (_SCORE_LINE, _OUT_OF):
        matches = list(pattern.finditer(text))
        if matches:
            last = matches[-1]
            out_of = float(last.group(2)) if last.group(2) else None
            if reason is None:
                rest = (text[: last.start()] + text[last.end() :]).strip(" \n\t.:-*")
                reason = rest or None
            return Grade(float(last.group(1)), reason, out_of)
    bare = _BARE.fullmatch(text)
    if bare:
        return Grade(float(bare.group(1)), reason)
    return None


def read_grade(text: str) -> Grade | None:
    """The grade in a judge model's answer, or None when there is none to be found."""
    obj = _json_object(text)
    if obj is not None:
        grade = _from_json(obj)
        if grade is not None:
            return grade
    return _from_text(text)
