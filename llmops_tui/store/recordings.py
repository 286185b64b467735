"""Recorded production answers, looked up by the input that produced them (what the `replay`
provider serves, so a suite can run on production recordings without a model).

    store.recordings.lookup(request: ProviderRequest) -> ProviderResponse | None

A recording matches when its span called the same model (`request_model` or
`response_model` equals `request.model`) with the same *rendered* input: the system message
and the last user message, compared after normalising line ends and surrounding whitespace.
A span whose recorded input has no system message (only the user's text was captured)
matches on the user message alone, behind spans that match both. Errored spans and spans
without an output are never served; production spans are preferred, then the newest.

Spans store messages in several dialects (OTel GenAI `parts`, `{role, content}` lists,
OpenAI content parts, plain text), so candidates are narrowed in SQL by a fragment of the
user message that no JSON serialiser escapes, and the match itself is decided here in Python
on the parsed messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import orjson

from llmops_tui.domain.evals import ProviderRequest, ProviderResponse

if TYPE_CHECKING:
    from llmops_tui.store import Store

CANDIDATES_SQL = """
select trace_id, span_id, input_text, output_text, response_model, duration_ms,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
    cost_usd
from spans
where input_text is not null and output_text is not null and status <> 'error'
  and (request_model = $model or response_model = $model)
  and contains(input_text, $needle)
order by coalesce(environment = 'production', false) desc, start_time desc, span_id
limit $limit
"""

CANDIDATE_LIMIT = 500
"""Spans parsed per lookup at most: the needle usually leaves a handful."""
NEEDLE_MAX = 120

_UNSAFE = re.compile(r"[^\x20-\x7e]|[\"\\/<>&']")
"""Characters some JSON serialiser escapes (quotes, backslash, Go's `<>&`, non-ASCII,
control characters): a needle without them reads the same in every stored dialect."""

Key = tuple[str | None, str]


class RecordingRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def lookup(self, request: ProviderRequest) -> ProviderResponse | None:
        """The newest recorded answer to the same model and rendered input, or None.

        Args:
            request: the call to answer; its `model` and its `messages` (system + last user)
                are matched, everything else (params, options) is ignored.
        """
        wanted = request_key(request)
        if not wanted[1]:
            return None
        params = {
            "model": request.model,
            # A user message of only escaped characters (all CJK, say) leans on the system's.
            "needle": needle(wanted[1]) or needle(wanted[0] or ""),
            "limit": CANDIDATE_LIMIT,
        }
        with self._store.reader() as cur:
            rows = cur.execute(CANDIDATES_SQL, params).fetchall()
        fallback = None
        for row in rows:
            found = parse_messages(row[2])
            if found is None:
                continue
            system, user = found
            if user != wanted[1]:
                continue
            if system == wanted[0]:
                return _response(row)
            if system is None and fallback is None:
                fallback = row
        return _response(fallback) if fallback is not None else None


def request_key(request: ProviderRequest) -> Key:
    """(system, last user message) of a request, normalised."""
    systems = [m.content for m in request.messages if m.role in ("system", "developer")]
    users = [m.content for m in request.messages if m.role == "user"]
    system = _normal("\n".join(systems)) if systems else None
    return system, _normal(users[-1]) if users else ""


def needle(text: str) -> str:
    """The longest run of `text` that reads the same escaped or not (at most NEEDLE_MAX)."""
    runs = _UNSAFE.split(text)
    best = max(runs, key=len) if runs else ""
    return best[:NEEDLE_MAX]


def parse_messages(text: str) -> Key | None:
    """(system, last user message) of a stored `input_text`, whatever its dialect; plain
    text is one user message. None when it holds no user message."""
    try:
        value: Any = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None, _normal(text)
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if isinstance(value, str):
        return None, _normal(value)
    if not isinstance(value, list):
        return None
    messages = [m for m in value if isinstance(m, dict)]
    systems = [_content(m) for m in messages if m.get("role") in ("system", "developer")]
    users = [_content(m) for m in messages if m.get("role", "user") == "user"]
    if not users:
        return None
    return (_normal("\n".join(systems)) if systems else None), _normal(users[-1])


def output_text(text: str) -> str:
    """The assistant's text of a stored `output_text` (message list, string or plain)."""
    try:
        value: Any = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = value.get("choices", [value])
        value = [c.get("message", c) if isinstance(c, dict) else c for c in value]
    if isinstance(value, list):
        texts = [_content(m) for m in value if isinstance(m, dict) and m.get("role") != "tool"]
        return "\n".join(t for t in texts if t)
    return text


def _content(message: dict[str, Any]) -> str:
    content = message.get("parts", message.get("content"))
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("type", "text") in ("text", "output_text"):
            value = part.get("content", part.get("text"))
            if isinstance(value, str):
                texts.append(value)
    return "\n".join(texts)


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _response(row: tuple[Any, ...]) -> ProviderResponse:
    return ProviderResponse(
        text=output_text(row[3]),
        latency_ms=float(row[5]) if row[5] is not None else 0.0,
        model=row[4],
        input_tokens=_int(row[6]),
        output_tokens=_int(row[7]),
        cache_read_tokens=_int(row[8]),
        cache_write_tokens=_int(row[9]),
        reasoning_tokens=_int(row[10]),
        cost_usd=float(row[11]) if row[11] is not None else None,
        raw={"replayed_from": {"trace_id": row[0], "span_id": row[1]}},
    )
