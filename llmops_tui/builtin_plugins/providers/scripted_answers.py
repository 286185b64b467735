"""The text `scripted` answers with: built from the case's expectation, so the heuristic
judges pass a good answer and fail a bad one, and readable enough for a demo.

Expectations are read the way datasets write them (`sample_project/datasets`):

- a string: a good answer *is* the string (exact, contains and similarity judges pass); a bad
  one garbles it (digits shifted, a word dropped) behind a hedge;
- a number: a good answer is the number; a bad one is far off;
- a list: strings a good answer must include;
- a mapping: `must_include` strings are included, `cites` are cited as `[KB-1002]`,
  `max_words` is respected, `must_not_include` is avoided, `escalate = true` says so, and
  `answer`/`output`/`text` is the answer's core. When the system message asks for JSON, the
  answer is a JSON object of the remaining scalar fields (`category`, `priority`...).
  `tool_calls` go into the response's `raw`.

A bad answer has one *primary* defect, the first that applies of: must_include dropped or
garbled, core or JSON value wrong, citations dropped, too long; each further defect that
applies is added with even odds, so judges fail at different rates. Bad answers open with a
hedge (`I'm not sure, but`), which is what the `llm_rubric` verdict keys on.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

HEDGES = ("I'm not sure, but", "I think", "As far as I can tell,", "Possibly")
OPENERS = ("Thanks for reaching out.", "Happy to help.", "Thanks for your patience.")
CHECK_KEYS = {"must_include", "must_not_include", "cites", "max_words", "min_words", "tool_calls"}
"""Expectation keys that check the text rather than being part of a JSON answer."""
CORE_KEYS = ("answer", "output", "text")
FILLER = (
    "Let me know if there is anything else I can do for you today, and have a great week "
    "ahead while we sort out the rest of the details on our side."
)


def good_answer(expected: Any, question: str, wants_json: bool, rng: random.Random) -> str:
    if isinstance(expected, str):
        return expected
    if _is_number(expected):
        return str(expected)
    spec = _spec(expected)
    if wants_json and spec["fields"]:
        return json.dumps(spec["fields"])
    sentences = [rng.choice(OPENERS)]
    if spec["core"]:
        sentences.append(spec["core"])
    elif not spec["must_include"]:
        sentences.append(f"Here is the answer to your question about {_topic(question)}.")
    sentences += [_mention(item, rng) for item in spec["must_include"]]
    if spec["escalate"] is True:
        sentences.append("I've passed this to a specialist, who will reply by email.")
    if spec["cites"]:
        sentences.append("See " + ", ".join(_cite(c) for c in spec["cites"]) + ".")
    return _fit(sentences, spec["max_words"])


def bad_answer(expected: Any, question: str, wants_json: bool, rng: random.Random) -> str:
    hedge = rng.choice(HEDGES)
    if isinstance(expected, str):
        return f"{hedge} {_garble(expected, rng)}"
    if _is_number(expected):
        return str(expected + max(1, abs(expected)) * rng.choice((-1, 1)))
    spec = _spec(expected)
    if wants_json and spec["fields"]:
        fields = dict(spec["fields"])
        key = rng.choice(sorted(fields))
        fields[key] = _wrong(fields[key])
        text = json.dumps(fields)
        return text[: len(text) // 2] if rng.random() < 0.3 else text
    defects = _defects(spec)
    chosen = {defects[0]} | {d for d in defects[1:] if rng.random() < 0.5} if defects else set()
    sentences = [f"{hedge} this is what applies here."]
    if spec["core"]:
        core = spec["core"]
        sentences.append(_garble(core, rng) if "core" in chosen else core)
    else:
        sentences.append(f"Something about {_topic(question)} may apply here.")
    if "must_include" in chosen:
        if rng.random() < 0.5:
            sentences += [_mention(_garble(item, rng), rng) for item in spec["must_include"]]
    else:
        sentences += [_mention(item, rng) for item in spec["must_include"]]
    if "must_not_include" in chosen:
        sentences.append(f"Good news: {spec['must_not_include'][0]}")
    if spec["escalate"] is True and "escalate" not in chosen:
        sentences.append("I've passed this to a specialist, who will reply by email.")
    if spec["cites"] and "cites" not in chosen:
        sentences.append("See " + ", ".join(_cite(c) for c in spec["cites"]) + ".")
    if "must_include" in chosen:
        # Another sentence (the escalation line says "specialist") must not supply them.
        sentences = [s for s in sentences if not any(i in s for i in spec["must_include"])]
    if "max_words" in chosen and spec["max_words"]:
        sentences += [FILLER] * (spec["max_words"] // len(FILLER.split()) + 1)
        return " ".join(sentences)
    return _fit(sentences, spec["max_words"])


def _spec(expected: Any) -> dict[str, Any]:
    if isinstance(expected, Sequence) and not isinstance(expected, str):
        expected = {"must_include": list(expected)}
    data: Mapping[str, Any] = expected if isinstance(expected, Mapping) else {}
    core = next((data[k] for k in CORE_KEYS if isinstance(data.get(k), str)), None)
    max_words = data.get("max_words")
    return {
        "must_include": [str(s) for s in _list(data.get("must_include"))],
        "must_not_include": [str(s) for s in _list(data.get("must_not_include"))],
        "cites": [str(s) for s in _list(data.get("cites"))],
        "max_words": max_words if isinstance(max_words, int) and max_words > 0 else None,
        "escalate": data.get("escalate"),
        "core": core,
        "fields": {
            k: v
            for k, v in data.items()
            if k not in CHECK_KEYS and k not in CORE_KEYS and isinstance(v, str | int | float)
        },
    }


def _defects(spec: Mapping[str, Any]) -> list[str]:
    applicable = [
        ("must_include", bool(spec["must_include"])),
        ("core", bool(spec["core"])),
        ("cites", bool(spec["cites"])),
        ("escalate", spec["escalate"] is True),
        ("max_words", bool(spec["max_words"])),
        ("must_not_include", bool(spec["must_not_include"])),
    ]
    return [name for name, applies in applicable if applies]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _mention(item: str, rng: random.Random) -> str:
    template = rng.choice(("The detail you need: {}.", "Please note: {}.", "In short: {}."))
    return template.format(item)


def _cite(cite: str) -> str:
    return cite if cite.startswith("[") else f"[{cite}]"


def _topic(question: str) -> str:
    words = re.findall(r"[A-Za-z0-9']+", question)
    return " ".join(words[-6:]).lower() or "this"


def _garble(text: str, rng: random.Random) -> str:
    if any(ch.isdigit() for ch in text):
        return "".join(str((int(ch) + 3) % 10) if ch.isdigit() else ch for ch in text)
    words = text.split()
    if len(words) > 1:
        del words[rng.randrange(len(words))]
        return " ".join(words)
    return text[::-1] if len(text) > 1 else "?"


def _wrong(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if _is_number(value):
        return value + 1
    return "other" if value != "other" else "unknown"


def _fit(sentences: list[str], max_words: int | None) -> str:
    """Drop the opener, then shorten, until the answer is within `max_words`."""
    text = " ".join(sentences)
    if max_words is None or len(text.split()) <= max_words:
        return text
    text = " ".join(sentences[1:])
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words])
