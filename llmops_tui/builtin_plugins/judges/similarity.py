"""The `similarity` judge: how close the answer is to the expected text, 0..1.

Three measures, all in the standard library so the judge costs nothing to install:
`words` (default: difflib's ratio over word and punctuation tokens, insensitive to spacing,
sensitive to order), `chars` (the same over characters: catches typos and small edits, but
costs O(n·m), about 2 ms for a 600-character answer, so keep it for short answers) and
`jaccard` (the share of distinct tokens in common: insensitive to order). With several
references the closest one decides.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from llmops_tui.builtin_plugins.judges.options import (
    REFERENCE_OPTIONS,
    JudgeOptions,
    as_texts,
    excerpt,
    reference,
)
from llmops_tui.plugin_api import JudgeInput, Score

METHODS = ("words", "chars", "jaccard")
_TOKEN = re.compile(r"\w+|[^\w\s]")


def similarity(a: str, b: str, method: str) -> float:
    """Similarity of two texts in 0..1 by `method` (one of `METHODS`)."""
    if method == "chars":
        # autojunk would treat every letter of a long text as noise and distort the ratio.
        flat_a, flat_b = " ".join(a.split()), " ".join(b.split())
        return difflib.SequenceMatcher(None, flat_a, flat_b, autojunk=False).ratio()
    words_a, words_b = _TOKEN.findall(a), _TOKEN.findall(b)
    if method == "words":
        return difflib.SequenceMatcher(None, words_a, words_b, autojunk=False).ratio()
    set_a, set_b = set(words_a), set(words_b)
    union = set_a | set_b
    return len(set_a & set_b) / len(union) if union else 1.0


class Similarity:
    """Passes when the answer's similarity to the reference reaches `threshold`."""

    name = "similarity"
    description = "string similarity to the expected text reaches a threshold (words/chars/jaccard)"
    OPTIONS = REFERENCE_OPTIONS | {"threshold", "method", "ignore_case"}

    def _options(self, raw: Mapping[str, Any]) -> tuple[JudgeOptions, float, str, bool]:
        options = JudgeOptions(self.name, raw, self.OPTIONS)
        threshold = options.number("threshold", 0.8, minimum=0) or 0.0
        if threshold > 1:
            raise options.error(f"option 'threshold': expected 0..1, got {threshold:g}")
        method = options.choice("method", METHODS, "words")
        return options, threshold, method, options.flag("ignore_case", False)

    def check_options(self, raw: Mapping[str, Any]) -> None:
        options = self._options(raw)[0]
        if options.has("value"):
            as_texts(options.raw["value"], options)

    def judge(self, item: JudgeInput) -> Score:
        options, threshold, method, ignore_case = self._options(item.options)
        wanted: Sequence[str] = as_texts(reference(item, options), options)
        answer = item.output.casefold() if ignore_case else item.output
        ratios = [
            (similarity(answer, w.casefold() if ignore_case else w, method), w) for w in wanted
        ]
        best, closest = max(ratios, key=lambda pair: pair[0])
        relation = ">=" if best >= threshold else "<"
        reason = f"{method} similarity {best:.2f} {relation} {threshold:g} to {excerpt(closest)!r}"
        return Score(passed=best >= threshold, value=best, reason=reason)
